"""``python -m sdv_attncorr``: the command line."""

import sys

from sdv_attncorr.cli import main

sys.exit(main())
