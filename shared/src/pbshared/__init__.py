"""Shared event contract and platform code for the personal-budgets services.

`pbshared.contract` is the event contract (envelope, topics, one model per event, JSON Schema and
AsyncAPI export). `pbshared.platform` is the plumbing every service runs (settings, database, outbox,
relay, consumer, auth, logging, metrics, reference data). Business rules never live here.
"""
