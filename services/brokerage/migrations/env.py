from pbshared.platform.migrations import run_env
from brokerage.adapters.tables import metadata

run_env(metadata)
