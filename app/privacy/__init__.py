"""A person's own data: downloading it (export) and closing the account (services)."""
