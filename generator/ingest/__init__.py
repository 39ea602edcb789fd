"""Ingest of form responses: Google Sheets or exported files into the SQLite store.

Entry points: `run_ingest` (one ingest, returns an `IngestReport`) and the store's
readers `read_inspections`, `read_quarantine`, `read_unmapped_columns`.
"""

from .run import IngestReport, SourceReport, file_source, run_ingest, sheet_source, sources_from_lock
from .store import DEFAULT_STORE, read_inspections, read_quarantine, read_replacements, read_unmapped_columns

__all__ = ["IngestReport", "SourceReport", "run_ingest", "file_source", "sheet_source", "sources_from_lock",
           "DEFAULT_STORE", "read_inspections", "read_quarantine", "read_unmapped_columns",
           "read_replacements"]
