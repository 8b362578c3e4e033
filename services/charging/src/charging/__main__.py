import sys

from pbshared.platform.cli import main
from charging.bootstrap import SERVICE

sys.exit(main(SERVICE))
