import sys

from ledger.bootstrap import SERVICE
from pbshared.platform.cli import main

if sys.argv[1:2] == ["pay"]:  # the ledger's own command, beside the platform's
    from ledger.entrypoints.pay_cli import main as pay

    sys.exit(pay(sys.argv[2:]))
sys.exit(main(SERVICE))
