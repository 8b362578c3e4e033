"""The event contract: what travels on Kafka between services."""

from pbshared.contract.envelope import Envelope, new_envelope
from pbshared.contract.registry import CATALOGUE, EventSpec, UnsupportedEventVersion

__all__ = ["CATALOGUE", "Envelope", "EventSpec", "UnsupportedEventVersion", "new_envelope"]
