"""Brokerage domain: plain Python, no I/O, no framework. Rules arrive with the brokerage issue."""
