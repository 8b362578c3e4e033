"""Every route of a service called with another council's tokens, driven by the service's role table.

Council A (the sample council) holds realistic data; council B (Eastmere, given the same reference
data) holds no records until its own writes, which the sweep makes last. For every route in the
role table and every role its row allows, B's token must reach nothing of A's:

- a route with A's ids in its path answers B exactly as it answers an id that never existed
  ("another council's record is as absent as one that does not exist"), and a write by id is a 404;
  A's own token on the same read gets A's record, so the test is about something;
- a route without ids (lists, reports, CSV, charts) answers B after A's data was stored exactly as
  it did before; A's token gets something else there, so again the test is about something;
- a write without an id in its path answers as the test expects (a body naming A's records is
  refused, a body of B's own is B's business), for the first role its row allows and then for each
  other (which may meet what the first stored: `then`);
- no answer to B shows any of A's markers (ids, names, NHS numbers) that B did not send itself;
- after every write, every row of A's is as it was, and no new row belongs to A or names A's ids.

A new route is swept as soon as it is in the table: a read without ids automatically, anything else
fails naming the route until the service's test module says how to call it, or lists it as not
generic with the reason.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import MetaData, select

from pbshared.platform.auth import Role, RouteKey
from pbshared.testing.harness import RunningService, auth
from tests.councils import SECOND_COUNCIL, load_second_council_like_the_first

A = "wyvernshire"
B = SECOND_COUNCIL["council_id"]
_PARAMETER = re.compile(r"{(\w+)}")
# Each answer's own correlation id: the one thing two otherwise equal answers never share.
_CORRELATION = re.compile(r'"correlation_id":\s*"[^"]*"')


@dataclass(frozen=True)
class Call:
    """How to call one route: its JSON body (or raw content with its headers), and the queries to
    ask (each one a call; reports are asked as JSON and as CSV). `expect` is the status of a write
    with no id in its path, called by B's first role allowed, `then` by each one after it (the
    same unless said); `not_by` the roles not swept on this route, each with the reason."""

    body: Any = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    queries: tuple[Mapping[str, str], ...] = ({},)
    expect: int | None = None
    then: int | None = None
    not_by: Mapping[Role, str] = field(default_factory=dict)
    ids: Mapping[str, str] = field(default_factory=dict)  # A's records for this route, over the sweep's


Calls = Mapping[RouteKey, Call | Callable[[Mapping[str, str]], Call]]
# Council A's records by path parameter, and further text of A's (names, ids) B must never see.
CouncilA = tuple[Mapping[str, str], set[str]]


# Eastmere's admin, and an operator with Eastmere's token, sending a new version of the sample
# council's own dataset: refused, nothing stored.
SAMPLE_COUNCIL_RENAMED = Call(
    body={
        "council_id": A,
        "kind": "council",
        "version": 2,  # the next version: the refusal is about who sends it
        "effective_from": "2026-04-01",
        "source": "test",
        "payload": {"name": "Renamed", "la_code": "E07000998"},
    },
    expect=403,
)


@dataclass
class _Answer:
    status: int
    text: str

    def with_ids(self, swaps: Mapping[str, str]) -> _Answer:
        text = self.text
        for old, new in swaps.items():
            text = text.replace(old, new)
        return _Answer(self.status, text)


@dataclass
class CouncilSweep:
    """The sweep of one service. `fixed` gives the path parameters that are not A's records (a
    reference data kind); `calls` how to call routes that need more than a bare GET; `not_generic`
    the routes not swept, each with the reason; `same_everywhere` the reads whose answer holds no
    council's data; `claims` what tokens of a role carry beside role and council."""

    service: RunningService
    fixed: Mapping[str, str] = field(default_factory=dict)
    calls: Calls = field(default_factory=dict)
    not_generic: Mapping[RouteKey, str] = field(default_factory=dict)
    same_everywhere: Mapping[RouteKey, str] = field(default_factory=dict)
    claims: Mapping[Role, Mapping[str, Any]] = field(default_factory=dict)
    # Parts of an answer made afresh each time (a FHIR searchset's own id): left out of comparisons.
    volatile: tuple[re.Pattern[str], ...] = ()
    _record_ids: list[str] = field(default_factory=list)
    _before: dict[tuple[RouteKey, Role, int], _Answer] = field(default_factory=dict)
    _tables: MetaData | None = None

    def routes(self) -> list[RouteKey]:
        """Every route of the role table: reads first, then writes by id, and B's own writes (those
        without ids) last, so that nothing B stores of its own is found by a read or write by A's id
        (a provider's id is the same in every council it works for)."""
        rows = self.service.app.state.access_policy.rows
        listed = set(self.not_generic) | set(self.same_everywhere) | set(self.calls)
        stale = sorted(listed - set(rows))
        assert not stale, f"listed but not in the role table: {stale}"
        return sorted(rows, key=lambda r: (r[0] != "GET", not self._id_parameters(r), r[1], r[0]))

    def _roles(self, route: RouteKey) -> list[Role]:
        return sorted(self.service.app.state.access_policy.allowed(*route))

    def _headers(self, role: Role, council: str) -> dict[str, str]:
        return auth(role, council, **self.claims.get(role, {}))

    def _call(self, route: RouteKey, ids: Mapping[str, str]) -> Call | None:
        found = self.calls.get(route)
        return found(ids) if callable(found) else found

    async def _ask(
        self, route: RouteKey, role: Role, council: str, values: Mapping[str, str], call: Call, query: Mapping
    ) -> _Answer:
        method, template = route
        path = _PARAMETER.sub(lambda m: values[m.group(1)], template)
        response = await self.service.client.request(
            method,
            path,
            params=dict(query),
            json=call.body if call.content is None else None,
            content=call.content,
            headers={**self._headers(role, council), **call.headers},
        )
        await self._background_work_done()
        text = response.content.decode("utf-8", "replace")
        for pattern in (_CORRELATION, *self.volatile):
            text = pattern.sub("", text)
        return _Answer(response.status_code, text)

    async def _background_work_done(self) -> None:
        # A write may start work that runs on in the process (the uprating job): what it changes counts.
        tasks = list(getattr(self.service.app.state, "background_jobs", ()))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _id_parameters(self, route: RouteKey) -> list[str]:
        return [name for name in _PARAMETER.findall(route[1]) if name not in self.fixed]

    async def assert_b_reaches_nothing_of_a(self, council_a: Callable[[], Awaitable[CouncilA]]) -> None:
        """Set B up, read what B sees, store A's data (`council_a` gives A's ids by path parameter
        and further markers), then sweep every route; fails listing every way B reached A."""
        await load_second_council_like_the_first(self.service)
        await self.look_before_council_a()
        ids, markers = await council_a()
        problems = await self.problems_after_council_a(ids, markers)
        assert not problems, "\n".join(problems)

    async def look_before_council_a(self) -> None:
        """What B's token reads on every route without ids, before A holds any data."""
        for route in self.routes():
            if route[0] != "GET" or route in self.not_generic or self._id_parameters(route):
                continue
            call = self._call(route, {}) or Call()
            for role in self._roles(route):
                for number, query in enumerate(call.queries):
                    self._before[route, role, number] = await self._ask(route, role, B, self.fixed, call, query)

    async def problems_after_council_a(self, ids: Mapping[str, str], markers: set[str]) -> list[str]:
        """Every way B's tokens reached A's data, after A's data was stored; `ids` are A's records
        for the path parameters, `markers` further text of A's that B must never see."""
        assert self._before, "look_before_council_a first"
        markers = {str(m) for m in markers} | set(ids.values())
        self._record_ids = sorted(m for m in markers if _is_uuid(m))
        problems: list[str] = []
        for route in self.routes():
            if route in self.not_generic:
                continue
            names = self._id_parameters(route)
            call = self._call(route, ids)
            route_ids = {**ids, **(call.ids if call else {})}
            missing = [name for name in names if name not in route_ids]
            if missing:
                problems.append(f"{route}: no id of council A for {missing}: add one, or list the route as not generic")
            elif route[0] != "GET" and call is None:
                problems.append(f"{route}: no body to send: add a Call, or list the route as not generic")
            elif route[0] == "GET" and not names:
                problems += await self._read_without_ids(route, call or Call(), markers)
            elif names:
                problems += await self._by_id(route, names, call or Call(), route_ids, markers)
            else:
                problems += await self._write_without_ids(route, call, markers)
        return problems

    async def _read_without_ids(self, route: RouteKey, call: Call, markers: set[str]) -> list[str]:
        problems = []
        for role in self._roles(route):
            for number, query in enumerate(call.queries):
                seen = await self._ask(route, role, B, self.fixed, call, query)
                label = f"{route} {dict(query)} as B's {role}"
                if seen != self._before[route, role, number]:
                    problems.append(f"{label}: answer changed once A's data was stored: {seen.text[:300]}")
                problems += self._shown(label, seen, markers, call, role, query)
                own = await self._ask(route, role, A, self.fixed, call, query)
                if route not in self.same_everywhere and (
                    own.status >= 300 or own == self._before[route, role, number]
                ):
                    problems.append(
                        f"{label}: A's own token reads nothing of A's here ({own.status}): the sweep's data miss it"
                    )
        return problems

    async def _by_id(
        self, route: RouteKey, names: list[str], call: Call, ids: Mapping[str, str], markers: set[str]
    ) -> list[str]:
        fresh = {name: _never_existed(ids[name]) for name in names}
        theirs = {**self.fixed, **ids}
        nowhere = {**self.fixed, **ids, **fresh}
        swaps = {fresh[name]: ids[name] for name in names}
        problems = []
        for role in self._roles(route):
            for query in call.queries:
                label = f"{route} {dict(query)} as B's {role}"
                before = await self._snapshot()
                absent = await self._ask(route, role, B, nowhere, call, query)
                seen = await self._ask(route, role, B, theirs, call, query)
                problems += self._shown(label, seen, markers, call, role, query, theirs)
                if route[0] == "GET":
                    absent = absent.with_ids(swaps)
                    if seen != absent:
                        problems.append(
                            f"{label}: A's record answers otherwise than one that never existed: "
                            f"{seen.status} {seen.text[:300]} against {absent.status} {absent.text[:300]}"
                        )
                    own = await self._ask(route, role, A, theirs, call, query)
                    if own.status >= 300 or own == absent:
                        problems.append(
                            f"{label}: A's own token reads nothing of A's ({own.status}): the sweep's data miss it"
                        )
                else:
                    if (seen.status, absent.status) != (404, 404):
                        problems.append(f"{label}: write by A's id answered {seen.status} {seen.text[:300]}, not 404")
                    problems += self._changed(label, before, await self._snapshot())
        return problems

    async def _write_without_ids(self, route: RouteKey, call: Call, markers: set[str]) -> list[str]:
        problems = []
        roles = [role for role in self._roles(route) if role not in call.not_by]
        for number, role in enumerate(roles):
            expect = call.expect if number == 0 or call.then is None else call.then
            for query in call.queries:
                label = f"{route} {dict(query)} as B's {role}"
                before = await self._snapshot()
                seen = await self._ask(route, role, B, self.fixed, call, query)
                if seen.status != expect:
                    problems.append(f"{label}: answered {seen.status}, expected {expect}: {seen.text[:300]}")
                problems += self._shown(label, seen, markers, call, role, query)
                problems += self._changed(label, before, await self._snapshot())
        return problems

    def _shown(
        self,
        label: str,
        seen: _Answer,
        markers: set[str],
        call: Call,
        role: Role,
        query: Mapping,
        values: Mapping[str, str] | None = None,
    ) -> list[str]:
        """A's markers in B's answer, apart from what B sent itself (an id in the path comes back in a 404)."""
        sent = json.dumps([call.body, (call.content or b"").decode(), dict(query), dict(values or {})], default=str)
        sent += json.dumps(dict(self.claims.get(role, {})), default=str)
        shown = sorted(m for m in markers if m in seen.text and m not in sent)
        return [f"{label}: shows A's {shown}"] if shown else []

    async def _snapshot(self) -> dict[str, Counter[tuple[str | None, str]]]:
        """Every row of every table, each with the council it belongs to (None for a table without one)."""
        async with self.service.app.state.engine.connect() as connection:
            if self._tables is None:
                self._tables = MetaData()
                await connection.run_sync(self._tables.reflect)
            rows: dict[str, Counter[tuple[str | None, str]]] = {}
            for table in self._tables.sorted_tables:
                found = await connection.execute(select(table))
                rows[table.name] = Counter(
                    (r._mapping.get("council_id"), json.dumps(dict(r._mapping), default=str, sort_keys=True))
                    for r in found
                )
        return rows

    def _changed(self, label: str, before: dict, after: dict) -> list[str]:
        """Rows of A's changed, gone or added; in a table without a council (the outbox, subjects'
        sequences), rows naming A's records."""

        def of_a(council: str | None, text: str) -> bool:
            return council == A or (council is None and any(i in text for i in self._record_ids))

        problems = []
        for table, rows in before.items():
            gone = [text for council, text in rows - after[table] if of_a(council, text)]
            new = [text for council, text in after[table] - rows if of_a(council, text)]
            if gone:
                problems.append(f"{label}: changed or removed in {table}: {gone[0][:300]}")
            if new:
                problems.append(f"{label}: new row of A's in {table}: {new[0][:300]}")
        return problems


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _never_existed(value: str) -> str:
    """An id of the same shape as `value` that no council holds."""
    return str(uuid.uuid4()) if _is_uuid(value) else f"{value}-never-{uuid.uuid4().hex[:6]}"
