import sys

from charging.bootstrap import SERVICE
from pbshared.platform.cli import main

if sys.argv[1:2] == ["uprate"]:  # charging's own command, beside the platform's
    from charging.entrypoints.uprate_cli import main as uprate

    sys.exit(uprate(sys.argv[2:]))
sys.exit(main(SERVICE))
