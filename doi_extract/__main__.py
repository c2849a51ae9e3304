"""``python -m doi_extract``: the same as the ``doi-extract`` command."""

import sys

from doi_extract.cli import main

sys.exit(main())
