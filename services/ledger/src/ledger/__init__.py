"""Ledger: direct payments on prepaid cards."""
