from pbshared.platform.migrations import run_env
from ledger.adapters.tables import metadata

run_env(metadata)
