"""Partner labs: asking, answering and accepting (services) and the lists people read (queries)."""
