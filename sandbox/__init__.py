"""A stateful local sandbox and contract test kit for the Elevate Payment and Refund API 1.39."""

import warnings

__version__ = "0.2.0"

# Connexion imports Starlette's test client at import time, which warns about httpx on every start.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
