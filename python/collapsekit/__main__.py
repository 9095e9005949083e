"""`python -m collapsekit report REFERENCE OTHER` (see collapsekit.cli)."""

import sys

from .cli import main

sys.exit(main())
