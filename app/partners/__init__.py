"""Partner organisations: applying, vetting, inviting and linking partner accounts (services)."""
