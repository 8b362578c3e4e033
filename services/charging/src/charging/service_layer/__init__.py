"""Charging use cases and event handlers."""
