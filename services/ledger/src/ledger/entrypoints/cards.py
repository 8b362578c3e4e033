"""The card side's routers and their rows of the role table, gathered for bootstrap."""

from ledger.entrypoints import card_imports_api, ledger_reports_api, monitoring_api, reconciliation_api
from pbshared.platform.auth import Role, RouteKey

_MODULES = (card_imports_api, reconciliation_api, monitoring_api, ledger_reports_api)
CARD_ROUTERS = [module.router for module in _MODULES]
CARD_ACCESS: dict[RouteKey, frozenset[Role]] = {row: roles for m in _MODULES for row, roles in m.ACCESS.items()}
CARD_UPLOAD_PATHS = card_imports_api.UPLOAD_PATHS
