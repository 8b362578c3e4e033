"""Needs assessments: scoring answers against the RAS model in force."""
