"""The sandbox's HTTP adapter: the one place that knows how Connexion and Starlette work inside.

Two ways to serve the same handlers, chosen by ``Settings.stock_connexion``:

- **the request pipeline** (``pipeline.py``, the default): one ASGI callable per app that routes a request
  once, checks its size, authenticates it, parses and validates its parameters and body with checks built
  at start-up for each operation, calls the handler with explicit arguments and renders the bytes. What it
  does not serve (form posts, Swagger UI, unknown paths and methods, HEAD) goes to the stock app below;
- **the stock app** (``stock.py``): plain Connexion, configured through its public options only.

tests/api/test_pipeline_differential.py sends the same requests to both and requires the same answers.
Importing this package checks the Connexion version first: the pipeline reproduces Connexion's own
parsing and error rules, read from the versions named here.
"""

from __future__ import annotations

import warnings
from importlib.metadata import version

SUPPORTED_CONNEXION = ((3, 3), (3, 4))  # >= 3.3, < 3.4 (pyproject.toml says the same)


def _release(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split(".")[:3]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_connexion(installed: str | None = None) -> None:
    """Fail at import, with the supported range, when another Connexion is installed."""
    found = installed if installed is not None else version("connexion")
    low, high = SUPPORTED_CONNEXION
    if not (low <= _release(found)[:2] < high):
        raise ImportError(
            f"elevate-sandbox supports Connexion >= {'.'.join(map(str, low))}, < {'.'.join(map(str, high))}; "
            f"connexion {found} is installed. Install a supported version: pip install 'connexion>=3.3,<3.4'"
        )


def _import_connexion() -> None:
    """Import Connexion once, without the deprecation warnings its own imports give (Starlette's test
    client with httpx rather than httpx2, jsonschema's RefResolver): under an integrator's
    ``filterwarnings = error`` they would stop a test run that merely loads the plugin. Only this import
    is quietened; the process's warning filters are as they were afterwards."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        import connexion  # noqa: F401


check_connexion()
_import_connexion()
