import sys

from charging.bootstrap import SERVICE
from pbshared.platform.cli import main

sys.exit(main(SERVICE))
