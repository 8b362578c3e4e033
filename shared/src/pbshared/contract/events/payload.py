"""The base of every event payload (and of the models inside one)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Payload(BaseModel):
    # Consumers ignore fields they do not know: producers may add an optional field first.
    model_config = ConfigDict(extra="ignore", frozen=True)
