"""Brokerage use cases and event handlers."""
