"""Health's own tables (the platform's tables are added by migrations)."""

from sqlalchemy import MetaData

metadata = MetaData()
