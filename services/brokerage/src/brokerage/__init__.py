"""Brokerage: packages, bids and placements."""
