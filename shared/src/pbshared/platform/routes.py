"""Puts a service's routes on its app as one flat list, each behind the role table.

FastAPI's `include_router` copied a router's routes onto the app until 0.137. Since then it keeps
the router whole and walks every included router, and the routes in each, for every request, and
again once the route is chosen: about 30 us of a 290 us scoring preview, with RAS's eight routers
(bench/README.md, "RAS: where it stands", fifth round). Each route is declared again here on the
app instead, as `include_router` used to do, so a request is matched against one list once.

What a route declares is carried over whole: a test compares every attribute of each route with its
flat copy, for a route declaring everything and for every service, and their OpenAPI documents
(tests/test_service_routes.py). A service router holds API routes only, and no startup or lifespan
of its own (include_router would merge those into the app's).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, params
from fastapi.routing import APIRoute, APIRouter


def add_routes(app: FastAPI, router: APIRouter, dependencies: Sequence[params.Depends]) -> None:
    """Every route of `router` on `app`, after `dependencies` (run before the route's own)."""
    if router.form_limits:
        raise TypeError("a service router sets no form limits of its own: declare them on its routes")
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r}: a service router holds API routes only")
        app.router.add_api_route(
            route.path,  # the router's prefix is already part of it
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=list(route.tags),
            dependencies=[*dependencies, *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses=dict(route.responses),
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
            form_limits=route.form_limits,
        )
