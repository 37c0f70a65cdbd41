"""The insights domain: counts and score distributions over all collectives, with small-cell
suppression (services). Used by its blueprint and the demo-data tests; it imports no blueprint."""
