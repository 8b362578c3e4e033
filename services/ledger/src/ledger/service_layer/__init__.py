"""Ledger use cases and event handlers."""
