"""Collectives: their pages, join requests and the dashboard of a representative (services)."""
