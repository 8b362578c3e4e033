"""A service's routes declared flat on its app (pbshared.platform.routes) are the routes
`include_router` would have given it: the same OpenAPI document, and for every route the same
endpoint, methods and dependencies, the role table's first."""

from __future__ import annotations

import pytest
from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute

from pbshared.platform.auth import current_principal
from pbshared.platform.routes import add_routes
from tools.services import SERVICE_NAMES, definition


def _both_ways(service_name: str) -> tuple[FastAPI, FastAPI]:
    included, flat = FastAPI(), FastAPI()
    for router in definition(service_name).all_routers():
        included.include_router(router, dependencies=[Depends(current_principal)])
        add_routes(flat, router, dependencies=[Depends(current_principal)])
    return included, flat


def _declared(app: FastAPI) -> list[tuple[str, frozenset[str], object, list[object]]]:
    routes = [route for route in app.routes if isinstance(route, APIRoute)]
    return sorted(
        (
            (route.path, frozenset(route.methods), route.endpoint, [d.dependency for d in route.dependencies])
            for route in routes
        ),
        key=lambda r: (r[0], sorted(r[1])),
    )


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_flat_routes_document_exactly_what_included_routers_did(service_name):
    included, flat = _both_ways(service_name)
    assert flat.openapi() == included.openapi()


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_every_flat_route_runs_the_role_table_before_its_own_dependencies(service_name):
    _, flat = _both_ways(service_name)
    declared = _declared(flat)
    assert declared, "a service with no routes"
    for path, _methods, _endpoint, dependencies in declared:
        assert dependencies[0] is current_principal, path
    every_route = [
        (route.path, frozenset(route.methods), route.endpoint)
        for router in definition(service_name).all_routers()
        for route in router.routes
    ]
    assert sorted(every_route, key=repr) == sorted([d[:3] for d in declared], key=repr)
