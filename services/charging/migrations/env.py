from pbshared.platform.migrations import run_env
from charging.adapters.tables import metadata

run_env(metadata)
