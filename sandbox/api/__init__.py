"""The HTTP layer: thin handlers named after Elevate's operationIds, plus rendering and validation glue."""
