"""A service's routes declared flat on its app (pbshared.platform.routes) are the routes
`include_router` would have given it: every attribute of each route carried over, the same OpenAPI
document, and the role table's dependency first."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute
from pydantic import BaseModel

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


# Everything add_api_route takes but the path's endpoint and dependencies: each must reach the copy.
_DECLARED = (
    "path",
    "endpoint",
    "response_model",
    "status_code",
    "tags",
    "summary",
    "description",
    "response_description",
    "responses",
    "deprecated",
    "methods",
    "operation_id",
    "response_model_include",
    "response_model_exclude",
    "response_model_by_alias",
    "response_model_exclude_unset",
    "response_model_exclude_defaults",
    "response_model_exclude_none",
    "include_in_schema",
    "response_class",
    "name",
    "callbacks",
    "openapi_extra",
    "generate_unique_id_function",
    "strict_content_type",
    "max_body_size",
    "form_limits",
)


class _Answer(BaseModel):
    value: int | None = None


def _declaring_everything() -> APIRouter:
    """A router whose one route sets every attribute away from FastAPI's default."""
    router = APIRouter(prefix="/everything", tags=["router tag"], max_body_size=1000, strict_content_type=False)

    @router.post(
        "/{thing}",
        response_model=_Answer,
        status_code=202,
        tags=["route tag"],
        summary="a summary",
        description="a description",
        response_description="what comes back",
        responses={409: {"description": "a conflict"}},
        deprecated=True,
        operation_id="everything_thing",
        response_model_include={"value"},
        response_model_exclude={"other"},
        response_model_by_alias=False,
        response_model_exclude_unset=True,
        response_model_exclude_defaults=True,
        response_model_exclude_none=True,
        include_in_schema=False,
        name="everything",
        openapi_extra={"x-extra": True},
        generate_unique_id_function=lambda route: f"id-{route.name}",
        form_limits={"max_fields": 5},
    )
    async def everything(thing: str) -> _Answer:
        return _Answer()

    return router


def _pairs(routers: list[APIRouter]) -> list[tuple[APIRoute, APIRoute]]:
    flat = FastAPI()
    for router in routers:
        add_routes(flat, router, dependencies=[Depends(current_principal)])
    copies = {(r.path, frozenset(r.methods)): r for r in flat.routes if isinstance(r, APIRoute)}
    originals = [route for router in routers for route in router.routes]
    return [(original, copies[(original.path, frozenset(original.methods))]) for original in originals]


def _differences(original: APIRoute, copy: APIRoute) -> list[str]:
    return [name for name in _DECLARED if _value(original, name) != _value(copy, name)]


def _value(route: APIRoute, name: str) -> object:
    """The attribute, a default FastAPI marks as such read as its value (the copy's is a new marker)."""
    value = getattr(route, name)
    return value.value if isinstance(value, DefaultPlaceholder) else value


def test_a_route_declaring_everything_is_copied_whole():
    [(original, copy)] = _pairs([_declaring_everything()])
    assert _differences(original, copy) == []
    assert original.max_body_size == 1000 and original.strict_content_type is False  # the router's, kept


@pytest.mark.parametrize("service_name", SERVICE_NAMES)
def test_every_route_of_every_service_is_copied_whole(service_name):
    for original, copy in _pairs(definition(service_name).all_routers()):
        assert _differences(original, copy) == [], original.path


def test_a_router_with_limits_of_its_own_for_forms_is_refused():
    # include_router applies a router's own form limits as a request passes through it; flat, nothing would.
    with pytest.raises(TypeError, match="form limits"):
        add_routes(FastAPI(), APIRouter(form_limits={"max_fields": 5}), dependencies=[])
