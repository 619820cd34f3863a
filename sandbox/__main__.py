"""`python -m sandbox` runs the same command line as `elevate-sandbox`."""

import sys

from sandbox.cli import main

sys.exit(main())
