import sys

from ledger.bootstrap import SERVICE
from pbshared.platform.cli import main

if sys.argv[1:2] == ["pay"]:  # the ledger's own command, beside the platform's
    from ledger.entrypoints.pay_cli import main as pay

    sys.exit(pay(sys.argv[2:]))
if sys.argv[1:2] == ["import-card-statement"]:  # the ledger's own command, beside the platform's
    from ledger.entrypoints.card_import_cli import main as import_card_statement

    sys.exit(import_card_statement(sys.argv[2:]))
sys.exit(main(SERVICE))
