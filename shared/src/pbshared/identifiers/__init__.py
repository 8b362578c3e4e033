"""Identifiers every service validates the same way."""
