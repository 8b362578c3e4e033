"""Brokerage's own tables (the platform's outbox, inbox, reference data and person
copies are added by migrations). Empty until the brokerage issue adds its model."""

from sqlalchemy import MetaData

metadata = MetaData()
