"""Health domain: plain Python, no I/O, no framework."""
