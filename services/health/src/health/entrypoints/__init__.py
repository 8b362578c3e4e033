"""Health entrypoints: HTTP routers and the event consumer."""
