"""Brokerage's council reference data: the DPS rules and the council's localities."""
