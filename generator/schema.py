"""JSON Schemas of the standards files, for editors' autocompletion."""

from __future__ import annotations

import json
from pathlib import Path

from .model import FILES


def schema_name(file_name: str) -> str:
    """`procedure.yaml` -> `procedure.schema.json`."""
    return file_name.rsplit(".", 1)[0] + ".schema.json"


def json_schemas() -> dict[str, str]:
    """Return {schema file name: JSON text} for every standards file."""
    out = {}
    for file_name, model_cls in FILES.items():
        schema = model_cls.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = file_name
        out[schema_name(file_name)] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in json_schemas().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
