from pbshared.platform.migrations import run_env
from ras.adapters.tables import metadata

run_env(metadata)
