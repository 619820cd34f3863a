"""Connexion's URI parsing, with its per-name tables built once, and its argument names."""

from __future__ import annotations

from typing import Any

from connexion.decorators.parameter import sanitized
from connexion.uri_parsing import OpenAPIURIParser

__all__ = ["FixedDefinitionsURIParser", "sanitized"]


class FixedDefinitionsURIParser(OpenAPIURIParser):
    """Connexion's OpenAPI URI parser, with its per-name schema tables built once.

    ``param_schemas`` (and ``form_defns``) rebuild a dict of every parameter on each access, and
    parsing a query reads them once per name and more: they depend only on the definitions the
    parser was made from, which nothing changes afterwards.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._param_schemas = super().param_schemas
        self._form_defns = super().form_defns

    @property
    def param_schemas(self) -> dict[str, Any]:
        return self._param_schemas

    @property
    def form_defns(self) -> dict[str, Any]:
        return self._form_defns
