"""People and their accounts: signing up and in (auth), changing one's address or password
(settings), how much a person may write (limits) and what moderators do to people (members)."""
