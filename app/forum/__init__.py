"""The discussion groups: writing and reading (services, queries), who hears of a post (mentions)
and what moderators do to posts, threads and groups (moderation)."""
