"""Health is declared: its definition names it and serves the reference data every service holds."""

from health.bootstrap import SERVICE


def test_the_definition_names_the_service_and_its_settings():
    assert SERVICE.name == SERVICE.settings_cls().service_name == "health"
    assert ("POST", "/reference-datasets") in SERVICE.access_policy().rows


def test_the_worker_ends_lapsed_reablement_and_the_service_keeps_budgets_and_health_rules():
    from health.entrypoints.reablement_loop import run_reablement_ends

    assert run_reablement_ends in SERVICE.background
    assert {s.event_type for s in SERVICE.subscriptions} == {
        "personal_budget.agreed",
        "personal_budget.revised",
        "personal_budget.ended",
    }
    assert "health_rules" in SERVICE.kinds()
