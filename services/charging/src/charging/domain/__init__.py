"""Charging domain: plain Python, no I/O, no framework. Rules arrive with the charging issue."""
