"""The HTTP layer: thin handlers named after Elevate's operationIds, plus rendering and validation glue."""

import elevate_sandbox.http  # noqa: F401  (the Connexion version check and its quiet import come first)
