"""RAS use cases: each runs in one unit of work, change and events together."""
