"""``python -m dashboard``: the command line (see :mod:`dashboard.cli`)."""

import os
import sys

from dashboard.cli import main

try:
    sys.exit(main())
except BrokenPipeError:  # output piped into `head` and the like
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)
