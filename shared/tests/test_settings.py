"""Service settings: PB_ environment variables and the defaults every service relies on."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pbshared.platform.settings import ConfigurationError, ServiceSettings


def test_a_development_run_defaults_to_sqlite_under_var_named_for_the_service() -> None:
    settings = ServiceSettings(service_name="ras", environment="development")
    assert settings.resolved_database_url() == "sqlite+aiosqlite:///var/ras.db"


def test_outside_a_development_run_a_database_url_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    monkeypatch.delenv("PB_ENVIRONMENT", raising=False)
    with pytest.raises(ConfigurationError, match="PB_DATABASE_URL"):
        ServiceSettings(service_name="ras").resolved_database_url()


def test_database_url_given_is_used_as_is() -> None:
    url = "postgresql+asyncpg://pb@db/pb_ras"
    assert ServiceSettings(service_name="ras", database_url=url).resolved_database_url() == url


def test_bootstrap_servers_splits_the_comma_separated_list() -> None:
    settings = ServiceSettings(service_name="ras", kafka_bootstrap_servers=" k1:9092, k2:9092 ,,")
    assert settings.bootstrap_servers == ["k1:9092", "k2:9092"]
    assert ServiceSettings(service_name="ras").bootstrap_servers == ["127.0.0.1:9092"]


def test_settings_are_read_from_pb_prefixed_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PB_SERVICE_NAME", "charging")
    monkeypatch.setenv("PB_KAFKA_BOOTSTRAP_SERVERS", "a:1,b:2")
    monkeypatch.setenv("PB_JWT_SECRET", "from-the-environment")
    monkeypatch.setenv("PB_RELAY_ENABLED", "false")
    settings = ServiceSettings()  # type: ignore[call-arg]
    assert settings.service_name == "charging"
    assert settings.bootstrap_servers == ["a:1", "b:2"]
    assert settings.jwt_secret is not None
    assert settings.jwt_secret.get_secret_value() == "from-the-environment"
    assert settings.relay_enabled is False


def test_unprefixed_environment_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "elsewhere:9092")
    assert ServiceSettings(service_name="ras").bootstrap_servers == ["127.0.0.1:9092"]


def test_jwt_secret_is_not_shown_in_the_settings_repr() -> None:
    assert "hush" not in repr(ServiceSettings(service_name="ras", jwt_secret="hush"))


def test_settings_refuse_out_of_range_numbers() -> None:
    with pytest.raises(ValidationError):
        ServiceSettings(service_name="ras", kafka_topic_partitions=0)


def test_a_relay_lease_shorter_than_a_publish_is_refused() -> None:
    with pytest.raises(ValidationError, match="relay_lease_seconds must be longer than a publish"):
        ServiceSettings(service_name="ras", kafka_request_timeout_ms=20000, relay_lease_seconds=30)
    assert ServiceSettings(service_name="ras", kafka_request_timeout_ms=5000).relay_lease_seconds == 30


def test_an_inbox_retention_within_the_redelivery_window_is_refused() -> None:
    with pytest.raises(ValidationError, match="inbox_retention_days must be longer than the topics' retention"):
        ServiceSettings(service_name="ras", inbox_retention_days=7)
    defaults = ServiceSettings(service_name="ras")
    assert (defaults.outbox_retention_days, defaults.inbox_retention_days) == (7, 30)
