"""Charging: Care Act financial assessment."""
