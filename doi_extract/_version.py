"""The one place the package version and home are kept."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/doi-extract/doi-extract"
