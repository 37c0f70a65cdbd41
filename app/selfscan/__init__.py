"""The self-scan domain: the questionnaire (versioned data in questionnaires/), scoring, the
report and its charts and PDF, and the services that start, save, submit and review a scan.
The web layer (app/blueprints/selfscan) and other features (insights, research, admin,
collectives) use it; it imports no blueprint."""
