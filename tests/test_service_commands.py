"""A service's own commands (charging's uprating, the ledger's payment run and statement import) are
listed in `python -m <service> --help` beside the platform's, and run with their own arguments."""

from __future__ import annotations

import pytest

from charging.bootstrap import SERVICE as CHARGING
from ledger.bootstrap import SERVICE as LEDGER
from pbshared.platform.cli import main


@pytest.mark.parametrize(
    ("service", "commands"),
    [(CHARGING, ["uprate"]), (LEDGER, ["pay", "import-card-statement"])],
    ids=["charging", "ledger"],
)
def test_the_services_own_commands_are_in_its_help_and_run_with_their_arguments(service, commands, capsys):
    with pytest.raises(SystemExit) as help_shown:
        main(service, ["--help"])
    assert help_shown.value.code == 0
    listed = capsys.readouterr().out
    for command in commands:
        assert command in listed
        with pytest.raises(SystemExit) as its_help:
            main(service, [command, "--help"])
        assert its_help.value.code == 0
        assert f"python -m {service.name} {command}" in capsys.readouterr().out
