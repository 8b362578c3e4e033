"""Domain errors: what a use case refuses, and the field each refusal is about.

Domain code and service layers raise these; they know nothing of HTTP. The edge
(pbshared.platform.errors) turns each kind into a problem response, in one place. Plain Python: a
service's domain may import this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One thing wrong: the field, what rule it breaks, and where the caller sent the field (the
    request body unless said otherwise: "path" for an id in the address)."""

    field: str
    message: str
    where: str = "body"


class DomainError(Exception):
    """A refusal; `issues` name every field concerned, `title` says what was refused."""

    title = "Refused"

    def __init__(self, message: str, issues: Sequence[Issue] = (), *, title: str | None = None):
        super().__init__(message)
        self.message = message
        self.issues = tuple(issues)
        if title is not None:
            self.title = title

    @classmethod
    def about(cls, field: str, message: str, *, where: str = "body", title: str | None = None) -> DomainError:
        """A refusal concerning one field."""
        return cls(message, [Issue(field, message, where)], title=title)


class NotFound(DomainError):
    """The record does not exist, or belongs to another council (which must look the same)."""

    title = "Not found"


class Conflict(DomainError):
    """The change collides with another record (a duplicate id, a record already retired)."""

    title = "Conflict"


class RuleBroken(DomainError):
    """A rule of the domain does not allow this change."""

    title = "Change not allowed"


class Unacceptable(RuleBroken):
    """What the request asks breaks a rule about its own content (a bid above the ceiling, too short
    a notice), as against a clash with the record's state: the caller must change the request, not
    read again. A RuleBroken, so code that catches those still catches it."""

    title = "Not acceptable under the rules"


class StaleRevision(Conflict):
    """The record changed since the caller read it: their change would overwrite one they never saw."""

    title = "Changed since you read it"

    def __init__(self, field: str = "revision"):
        message = "changed since you read it; read it again"
        super().__init__(message, [Issue(field, message)])
