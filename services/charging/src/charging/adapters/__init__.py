"""Charging adapters: tables and repositories."""
