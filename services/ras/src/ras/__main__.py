import sys

from pbshared.platform.cli import main
from ras.bootstrap import SERVICE

sys.exit(main(SERVICE))
