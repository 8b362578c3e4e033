from ledger.adapters.tables import metadata
from pbshared.platform.migrations import run_env

run_env(metadata)
