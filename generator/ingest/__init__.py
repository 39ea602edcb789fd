"""Ingest of form responses: Google Sheets or exported files into the SQLite store (`generator.store`).

Entry point: `run_ingest` (one ingest, returns an `IngestReport`); the store's readers are in `generator.store`.
"""

from .run import IngestReport, SourceReport, file_source, run_ingest, sheet_source, sources_from_lock

__all__ = ["IngestReport", "SourceReport", "run_ingest", "file_source", "sheet_source", "sources_from_lock"]
