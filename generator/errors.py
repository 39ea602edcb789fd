"""Every exception the package raises for a user, and who raises it.

A `HandbookError` is a problem the user can fix: the CLI's group (`cli/options.py`
`HandbookGroup`) shows it as one `错误：…` line and exits 1, never a traceback.
The texts come from the catalogue in `messages.py`, one way: `raise HandbookError(Msg.X, **fields)`
(the error keeps the message's code, `err.code == "D013"`, and its text is `Msg.X.line(**fields)`).

Row-level rejections are not errors of the run: a response row that cannot be read
is quarantined with its reason (`ingest.columns.Rejected`, the questionnaire's
`SurveyRejected`), and the run goes on.
"""

from __future__ import annotations

from .messages import Msg


class HandbookError(Exception):
    """A failure the user can fix; the CLI shows it as `错误：…` and exits 1. Raised throughout.

    `HandbookError(Msg.X, **fields)`: `code` is the message's code (`"D013"`), `msg` the member and
    `fields` what fills it in; the text is one line, "message：hint。" (`Msg.line`).
    """

    def __init__(self, message: Msg, /, **fields):
        if not isinstance(message, Msg):
            raise TypeError(f"HandbookError takes a catalogue message (Msg.X), not {type(message).__name__}")
        self.msg, self.fields, self.code = message, fields, message.code
        super().__init__(message.line(**fields))


class StandardsInvalid(HandbookError):
    """The standards have errors; `diagnostics` holds every one of them.

    Raised by `standards.require_standards`; the CLI prints each diagnostic (file:line) first.
    """

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        n = sum(1 for d in self.diagnostics if d.severity == "error")
        super().__init__(Msg.STANDARDS_HAVE_ERRORS, count=n)


class StoreError(HandbookError):
    """The store cannot be used: not a store, locked, read-only, disk full… (one Chinese line).

    Raised by `generator.store` when it opens or writes the SQLite file.
    """


class StoreBusy(StoreError):
    """Another program (another ingest, a reader holding a lock) holds the store. Raised by `generator.store`."""


class StoreDamaged(StoreError):
    """SQLite's integrity check of the store found damage; `problems` says how much (Chinese).
    Raised by `store.connection.check_integrity`."""

    def __init__(self, message: Msg, /, **fields):
        self.problems = fields["problems"]
        super().__init__(message, **fields)


class LockInvalid(HandbookError):
    """The lock file cannot be read or does not have the expected shape. Raised by `forms.lock_file.read_lock`."""


class FormGone(HandbookError):
    """Google answered 404 for a form the lock names. Raised by `forms.google`; `forms.push` explains it."""

    def __init__(self, form_id: str, message: Msg, /, **fields):
        self.form_id = form_id
        super().__init__(message, **fields)
