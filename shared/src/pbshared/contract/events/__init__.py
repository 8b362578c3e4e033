"""One module per subject area; importing this package registers every event in the catalogue."""

from pbshared.contract.events import brokerage, budgets, charging, health, ledger, people  # noqa: F401
