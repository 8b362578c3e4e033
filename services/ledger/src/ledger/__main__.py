import sys

from pbshared.platform.cli import main
from ledger.bootstrap import SERVICE

sys.exit(main(SERVICE))
