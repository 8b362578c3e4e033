"""The event catalogue: every event type, each schema version, and how old versions upcast.

Evolution rules (docs/events.md):
- Adding an optional field is a minor change: same schema_version. Consumers ignore fields they do
  not know, so producers may add one before consumers upgrade.
- Anything else (removing, renaming, retyping, making a field required) is a new schema_version.
  The new version registers an `upcast` from the previous one, so a consumer written for version N
  still accepts every older version it can upcast, and refuses (dead-letters) newer ones it cannot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from pbshared.contract.topics import events_topic

if TYPE_CHECKING:  # new_envelope reads the catalogue; the catalogue needs the envelope only as a type
    from pbshared.contract.envelope import Envelope

Upcast = Callable[[dict[str, Any]], dict[str, Any]]


class UnsupportedEventVersion(Exception):
    """The consumer cannot read this schema_version: a permanent failure, not worth retrying."""


@dataclass(frozen=True)
class EventSpec:
    event_type: str
    version: int
    model: type[BaseModel]
    producer: str
    summary: str
    # Turns a payload of version - 1 into this version; None for version 1.
    upcast_from_previous: Upcast | None = None

    @property
    def topic(self) -> str:
        return events_topic(self.producer)

    @property
    def schema_name(self) -> str:
        return f"{self.event_type}.v{self.version}"


@dataclass
class Catalogue:
    _specs: dict[tuple[str, int], EventSpec] = field(default_factory=dict)
    _by_model: dict[type[BaseModel], EventSpec] = field(default_factory=dict)

    def register(self, spec: EventSpec) -> EventSpec:
        key = (spec.event_type, spec.version)
        if key in self._specs:
            raise ValueError(f"{spec.schema_name} is registered twice")
        if spec.version > 1 and spec.upcast_from_previous is None:
            raise ValueError(f"{spec.schema_name} needs an upcast from version {spec.version - 1}")
        if spec.version > 1 and (spec.event_type, spec.version - 1) not in self._specs:
            raise ValueError(f"{spec.schema_name}: register version {spec.version - 1} first")
        self._specs[key] = spec
        self._by_model.setdefault(spec.model, spec)
        return spec

    def specs(self) -> list[EventSpec]:
        return sorted(self._specs.values(), key=lambda s: (s.producer, s.event_type, s.version))

    def producers(self) -> list[str]:
        """The services that publish at least one event in the catalogue."""
        return sorted({s.producer for s in self._specs.values()})

    def spec(self, event_type: str, version: int) -> EventSpec:
        try:
            return self._specs[(event_type, version)]
        except KeyError:
            raise UnsupportedEventVersion(f"{event_type} v{version} is not in the catalogue") from None

    def spec_for_model(self, model: type[BaseModel]) -> EventSpec:
        """The spec a payload model was first registered with (a look-up: every event written asks)."""
        spec = self._by_model.get(model)
        if spec is None:
            raise KeyError(f"{model.__name__} is not a registered event payload")
        return spec

    def parse(self, envelope: Envelope, target: type[BaseModel]) -> BaseModel:
        """Read an envelope's payload as `target`, upcasting older versions step by step."""
        target_spec = self.spec_for_model(target)
        version = envelope.schema_version
        if envelope.event_type != target_spec.event_type:
            raise UnsupportedEventVersion(f"{envelope.event_type} cannot be read as {target_spec.event_type}")
        if version > target_spec.version:
            raise UnsupportedEventVersion(
                f"{envelope.event_type} v{version} is newer than v{target_spec.version}, "
                "the newest this consumer declares"
            )
        self.spec(envelope.event_type, version)  # refuse versions that never existed
        payload = dict(envelope.payload)
        while version < target_spec.version:
            version += 1
            upcast = self.spec(envelope.event_type, version).upcast_from_previous
            assert upcast is not None  # guaranteed by register()
            payload = upcast(payload)
        return target.model_validate(payload)


CATALOGUE = Catalogue()


def event(
    event_type: str,
    *,
    version: int,
    producer: str,
    upcast_from_previous: Upcast | None = None,
) -> Callable[[type[BaseModel]], type[BaseModel]]:
    """Class decorator: register a payload model in the catalogue. Its docstring is the summary."""

    def register(model: type[BaseModel]) -> type[BaseModel]:
        if not (model.__doc__ or "").strip():
            raise ValueError(f"{model.__name__}: an event's docstring is its summary in the catalogue; write one")
        CATALOGUE.register(
            EventSpec(
                event_type=event_type,
                version=version,
                model=model,
                producer=producer,
                summary=(model.__doc__ or "").strip().splitlines()[0],
                upcast_from_previous=upcast_from_previous,
            )
        )
        return model

    return register
