"""Moderators manage knowledge-base items under /beheer/kennisbank (views on the admin bp)."""
