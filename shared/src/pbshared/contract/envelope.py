"""The one envelope every event travels in.

Field names follow CloudEvents where they mean the same thing (id, type, time, source, subject), spelt
out so that they read well in our code and logs. `subject_id` is also the Kafka message key, so all
events about one person (or package, or account) land on one partition and stay in order.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from pbshared.contract.registry import CATALOGUE


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(description="Unique id of this event; consumers deduplicate on it.")
    event_type: str = Field(description="Dotted name, e.g. person.registered.", min_length=3)
    schema_version: int = Field(ge=1, description="Version of the payload schema for this event_type.")
    occurred_at: AwareDatetime = Field(description="When the change happened, in UTC.")
    producer: str = Field(description="The service that produced the event.", min_length=1)
    council_id: str = Field(description="The tenant: the council whose data this is.", min_length=1)
    subject_id: str = Field(description="Who or what the event is about; the partition key.", min_length=1)
    correlation_id: str = Field(min_length=1, description="Shared by every event and request of one piece of work.")
    causation_id: uuid.UUID | None = Field(
        default=None, description="The event_id of the event that caused this one, if any."
    )
    subject_sequence: int | None = Field(
        default=None,
        ge=1,
        description="Position of this event among its producer's events about the subject: 1, 2, 3... "
        "Assigned when the event is written to the producer's outbox. Absent on events written before it "
        "existed. Consumers use it to hold a subject's later events back while an earlier one is dead-lettered.",
    )
    payload: dict[str, Any]

    @field_validator("occurred_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Envelope:
        return cls.model_validate_json(raw)


def new_envelope(
    *,
    payload: BaseModel,
    producer: str,
    council_id: str,
    subject_id: str,
    correlation_id: str,
    causation_id: uuid.UUID | None = None,
    occurred_at: datetime | None = None,
) -> Envelope:
    """Wrap a registered payload model in an envelope, taking type and version from the catalogue."""
    spec = CATALOGUE.spec_for_model(type(payload))
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=spec.event_type,
        schema_version=spec.version,
        occurred_at=occurred_at or datetime.now(UTC),
        producer=producer,
        council_id=council_id,
        subject_id=subject_id,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
    )
