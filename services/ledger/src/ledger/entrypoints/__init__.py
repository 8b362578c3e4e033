"""Ledger entrypoints: HTTP routers and the event consumer."""
