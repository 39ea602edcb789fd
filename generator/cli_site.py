"""CLI commands for site and printable sheets (build, serve): thin adapters over the library."""

from __future__ import annotations

from .cli import STANDARDS_OPTION, handle_errors, main  # noqa: F401
