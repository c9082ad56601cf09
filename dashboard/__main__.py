"""``python -m dashboard``: the command line (see :mod:`dashboard.cli.main`)."""

import os
import sys

from dashboard.cli.main import main

try:
    sys.exit(main(own_process=True))
except BrokenPipeError:  # output piped into `head` and the like
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(0)
