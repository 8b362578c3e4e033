"""Charging's own tables (the platform's outbox, inbox, reference data and person
copies are added by migrations). Empty until the charging issue adds its model."""

from sqlalchemy import MetaData

metadata = MetaData()
