"""Ledger adapters: tables and repositories."""
