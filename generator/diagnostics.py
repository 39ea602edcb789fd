"""One problem found in the standards, with where it is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass

from .messages import Msg, render


@dataclass(frozen=True)
class Diagnostic:
    """A problem at `file:line`, with a message and an optional fix hint."""

    file: str
    line: int
    message_id: str
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"
    column: int | None = None

    @classmethod
    def make(cls, file: str, line: int, message_id: str, *, severity: str = "error",
             column: int | None = None, **fields) -> "Diagnostic":
        """Build a diagnostic from a catalogue entry."""
        message, hint = render(message_id, column=column, **fields)
        return cls(file=file, line=line, message_id=message_id, message=message, hint=hint,
                   severity=severity, column=column)

    @property
    def code(self) -> str:
        """The catalogue code of the message (e.g. S101)."""
        return Msg[self.message_id.upper()].code

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        label = "错误" if self.severity == "error" else "警告"
        text = f"{where}: {label}: {self.message}"
        return f"{text}（提示：{self.hint}）" if self.hint else text

