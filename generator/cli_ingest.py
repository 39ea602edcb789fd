"""CLI commands for ingest of form responses: thin adapters over the library."""

from __future__ import annotations

from .cli import STANDARDS_OPTION, handle_errors, main  # noqa: F401
