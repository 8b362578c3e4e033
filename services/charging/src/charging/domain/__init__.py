"""Charging domain: the Care Act financial assessment as plain functions over plain data.

No I/O and no framework: `financial_assessment.assess` reads a request and returns a `ChargeResult` (or lists every
problem); national figures and council policy arrive as effective-dated reference data. The rules and
their sources: docs/domain/charging.md.
"""
