"""Configuration from environment variables (prefix PB_), one class every service extends.

docs/configuration.md is generated from these fields; keep each description true.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Kafka's default topic retention (log.retention.hours=168), which pb-topics leaves as it is: the
# longest time an event can be delivered again (docs/runbook.md, "Pruning").
REDELIVERY_WINDOW_DAYS = 7

DEFAULT_ISSUER = "pb-local"
DEFAULT_AUDIENCE = "personal-budgets"
DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 12 * 3600
# Public: in the compose file and the default of `pb-token`. Accepted only in a development run.
DEV_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class ConfigurationError(ValueError):
    """A setting that must not be used as given: the service refuses to start."""


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PB_", extra="ignore")

    service_name: str = Field(description="Name of this service; also its Kafka consumer group.")
    environment: Literal["production", "development"] = Field(
        default="production",
        description="`development` (set by `scripts/run`) allows an empty database URL and the public "
        "development JWT secret; anything else refuses to start with either.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy async URL of the service's own database, e.g. "
        "postgresql+asyncpg://user@host/pb_ras or sqlite+aiosqlite:///var/ras.db. "
        "Required, except in a development run, where empty means var/<service>.db (SQLite).",
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        le=500,
        description="PostgreSQL connections each process keeps open (the API's requests plus a consumer "
        "handling every partition at once). Size it with PostgreSQL's max_connections: every service's API "
        "and worker processes together must fit.",
    )
    database_pool_overflow: int = Field(
        default=0,
        ge=0,
        le=500,
        description="Connections a process may open beyond the pool under a burst, closed again on return "
        "(each costs a new PostgreSQL backend; a request then waits for a pooled one instead).",
    )
    kafka_bootstrap_servers: str = Field(default="127.0.0.1:9092", description="Comma-separated Kafka brokers.")
    kafka_topic_partitions: int = Field(
        default=6, ge=1, description="Partitions for topics this service creates at start."
    )
    kafka_replication_factor: int = Field(
        default=1, ge=1, description="Replication factor for topics this service creates (3 in production)."
    )
    kafka_enable_idempotence: bool = Field(
        default=True,
        description="Idempotent producers (Kafka's InitProducerId): a publish the client retries is written "
        "once. Used by every producer (relay, dead letters). Keep it on with Apache Kafka; set false only "
        "for a broker without InitProducerId, such as the embedded Tansu (the local run and the tests do).",
    )
    kafka_request_timeout_ms: int = Field(
        default=5000, ge=100, description="How long a publish may wait for the broker before it is retried."
    )
    jwt_secret: SecretStr | None = Field(
        default=None,
        description="Shared secret for HS256 tokens (development and tests). Unset in a development run "
        "(and no public key): the public development secret, the one `pb-token` signs with.",
    )
    jwt_public_key: str | None = Field(
        default=None, description="PEM public key for RS256 tokens from the council's identity provider."
    )
    jwt_issuer: str = Field(default=DEFAULT_ISSUER, description="Expected `iss` claim of bearer tokens.")
    jwt_audience: str = Field(default=DEFAULT_AUDIENCE, description="Expected `aud` claim.")
    jwt_max_lifetime_seconds: int = Field(
        default=DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
        ge=60,
        description="Longest a token may live (`exp` - `iat`); a token claiming longer is refused (401).",
    )
    max_request_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Largest request body accepted; a larger one is refused (413) before it is read.",
    )
    max_upload_body_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest file a route that takes one accepts (e.g. a cohort CSV for RAS calibration); "
        "every other route keeps PB_MAX_REQUEST_BODY_BYTES.",
    )
    relay_enabled: bool = Field(default=True, description="Run the outbox relay in this process.")
    relay_batch_size: int = Field(default=500, ge=1, description="Outbox rows published per batch.")
    relay_idle_poll_ms: int = Field(
        default=200, ge=5, description="How often an idle relay looks for rows written by other processes."
    )
    relay_lease_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How long a relay's claim on a batch lasts. Only one relay of a service publishes a batch "
        "at a time; if it dies mid-batch, another takes over when this lapses. Must be longer than a publish "
        "may take (twice PB_KAFKA_REQUEST_TIMEOUT_MS).",
    )
    consumers_enabled: bool = Field(default=True, description="Run the Kafka consumer in this process.")
    consumer_max_attempts: int = Field(
        default=5, ge=1, description="Attempts at one message before it goes to the dead-letter topic."
    )
    consumer_fetch_max_wait_ms: int = Field(
        default=20,
        ge=1,
        description="Longest a fetch waits for new messages. Kafka answers as soon as any arrive, so this "
        "only sets how often an idle consumer asks; Tansu always waits this long, so on the embedded "
        "broker it adds to every event's latency.",
    )
    consumer_backoff_ms: int = Field(
        default=200, ge=0, description="First retry delay; doubles with each further attempt."
    )
    outbox_retention_days: int = Field(
        default=7, ge=1, description="Days a published outbox row is kept (for inspection) before it is pruned."
    )
    inbox_retention_days: int = Field(
        default=30,
        description="Days a handled event's id is kept in the inbox, where it stops a redelivery from taking "
        f"effect twice. Must be longer than the longest redelivery window, the topics' retention "
        f"({REDELIVERY_WINDOW_DAYS} days).",
    )
    prune_interval_seconds: float = Field(
        default=3600, gt=0, description="How often the process running the relay and consumer prunes."
    )
    log_level: str = Field(default="INFO", description="Python log level name.")
    log_json: bool = Field(default=True, description="JSON log lines (false: human-readable console).")

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def relay_publish_timeout_seconds(self) -> float:
        return self.kafka_request_timeout_ms / 1000 * 2

    @model_validator(mode="after")
    def _lease_outlasts_a_publish(self) -> ServiceSettings:
        if self.relay_lease_seconds <= self.relay_publish_timeout_seconds:
            raise ValueError(
                "relay_lease_seconds must be longer than a publish may take (twice kafka_request_timeout_ms)"
            )
        return self

    @model_validator(mode="after")
    def _inbox_outlasts_redelivery(self) -> ServiceSettings:
        if self.inbox_retention_days <= REDELIVERY_WINDOW_DAYS:
            raise ValueError(
                f"inbox_retention_days must be longer than the topics' retention ({REDELIVERY_WINDOW_DAYS} days), "
                "or a redelivered event would take effect twice"
            )
        return self

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if not self.is_development:
            raise ConfigurationError("set PB_DATABASE_URL (or PB_ENVIRONMENT=development for a local SQLite file)")
        return f"sqlite+aiosqlite:///var/{self.service_name}.db"

    @property
    def bootstrap_servers(self) -> list[str]:
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]
