"""RESOLVE: registry records for DOIs, from Crossref and, through doi.org, other agencies.

`Resolver` (in `resolver.py`, whose docstring tells the order in which it asks) looks DOIs
up and searches for the DOIs of references printed without one. It is imported on first
use: it needs habanero and requests, a good part of the start-up time of a run that never
goes online.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from doi_extract.resolve.base import (
    Outcome,
    Resolution,
    ResolverSettings,
    ResolveStats,
    default_cache_path,
)
from doi_extract.resolve.match import Verdict, validate

if TYPE_CHECKING:
    from doi_extract.resolve.resolver import Resolver, search_text

__all__ = [
    "Outcome",
    "Resolution",
    "ResolveStats",
    "Resolver",
    "ResolverSettings",
    "Verdict",
    "default_cache_path",
    "search_text",
    "validate",
]

_LAZY = frozenset({"Resolver", "search_text"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from doi_extract.resolve import resolver

        return getattr(resolver, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
