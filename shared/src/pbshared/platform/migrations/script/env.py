"""Alembic's env.py for every service; the service's own tables arrive in the Config's attributes."""

from alembic import context

from pbshared.platform.migrations import SERVICE_METADATA, run_env

run_env(context.config.attributes.get(SERVICE_METADATA))
