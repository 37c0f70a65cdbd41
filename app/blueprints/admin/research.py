"""The pseudonymised research export and its codebook (views on the admin bp)."""
