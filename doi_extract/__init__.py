"""doi-extract: DOIs and cited works from RSS/Atom feeds to BibTeX, RIS and CSL-JSON."""

import logging

from doi_extract._version import __version__

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["__version__"]
