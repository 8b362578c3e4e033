"""The card side's routers and their rows of the role table, gathered for bootstrap."""

from ledger.entrypoints import card_imports_api, reconciliation_api
from pbshared.platform.auth import Role, RouteKey

CARD_ROUTERS = [card_imports_api.router, reconciliation_api.router]
CARD_ACCESS: dict[RouteKey, frozenset[Role]] = {**card_imports_api.ACCESS, **reconciliation_api.ACCESS}
CARD_UPLOAD_PATHS = card_imports_api.UPLOAD_PATHS
