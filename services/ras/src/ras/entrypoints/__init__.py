"""RAS entrypoints: the HTTP API."""
