"""The SQLite store: raw rows as fetched, normalised inspections with every version, quarantine, log.

One file, its own layer: ingest writes it, results, notify, the CLI and the instruments read it, and it
imports none of them. `schema` (its tables and their upgrades), `connection` (opening it, one-line errors,
the integrity check, the write transaction), `read` (the readers), `writer` (`StoreWriter`), `backup`
(`handbook backup`/`restore`) and `rules` (the recorded scoring rules of each standards version).
The names below are its public face: `from generator import store` then `store.connect(...)`.
"""

from .connection import (DEFAULT_STORE, backup_folder, begin, check_integrity, commit, connect, open_copy,
                         open_store_read_only, restore_command, store_error)
from .read import (QuarantinedRow, Replacement, ScoringRow, UnmappedColumn, counted, counted_from, first_dates,
                   keyed_since,
                   read_arrivals, read_inspections, read_last_fetch, read_log, read_quarantine, read_replacements,
                   read_scoring_rows, read_unmapped_columns, read_versions)
from .schema import (CORE_TABLES, MIGRATIONS, OWN_TABLES, SCHEMA, SCHEMA_VERSION, identify, instrument_tables,
                     migrate, migrate_instruments)
from .writer import (AtTime, Candidate, ClaimRow, InspectionRow, Known, MoveRow, Pending, PendingRow,
                     QuarantineEntry, RawRow, SectionRow, Stored, StoreWriter, UnmappedEntry, VersionRow)

__all__ = ["DEFAULT_STORE", "backup_folder", "begin", "check_integrity", "commit", "connect", "open_copy",
           "open_store_read_only", "restore_command", "store_error",
           "QuarantinedRow", "Replacement", "UnmappedColumn", "counted", "read_arrivals", "read_inspections",
           "read_last_fetch", "read_log", "read_quarantine", "read_replacements", "read_unmapped_columns",
           "read_versions", "ScoringRow", "read_scoring_rows", "first_dates", "keyed_since", "counted_from",
           "CORE_TABLES", "MIGRATIONS", "OWN_TABLES", "SCHEMA", "SCHEMA_VERSION", "identify", "instrument_tables",
           "migrate", "migrate_instruments",
           "StoreWriter", "AtTime", "Candidate", "ClaimRow", "InspectionRow", "Known", "MoveRow",
           "Pending", "PendingRow", "QuarantineEntry", "RawRow", "SectionRow", "Stored", "UnmappedEntry",
           "VersionRow"]
