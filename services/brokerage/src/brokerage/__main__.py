import sys

from pbshared.platform.cli import main
from brokerage.bootstrap import SERVICE

sys.exit(main(SERVICE))
