"""Health is declared: its definition names it and serves the reference data every service holds."""

from health.bootstrap import SERVICE


def test_the_definition_names_the_service_and_its_settings():
    assert SERVICE.name == SERVICE.settings_cls().service_name == "health"
    assert ("POST", "/reference-datasets") in SERVICE.access_policy().rows
