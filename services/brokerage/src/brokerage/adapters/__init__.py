"""Brokerage adapters: tables and repositories."""
