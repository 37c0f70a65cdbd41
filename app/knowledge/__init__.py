"""The knowledge-base domain: which items a person sees (queries) and writing, publishing and
deleting items with their attachments (services, audited). Used by its blueprint, the admin
editor, the home page and the demo data; it imports no blueprint."""
