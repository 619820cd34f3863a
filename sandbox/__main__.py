"""`python -m elevate_sandbox` runs the same command line as `elevate-sandbox`."""

import sys

from elevate_sandbox.cli import main

sys.exit(main())
