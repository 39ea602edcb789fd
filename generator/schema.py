"""JSON Schemas of the standards files, for editors' autocompletion."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from pydantic import BaseModel, create_model

from .model import FILES
from .standards import METHODS_FILE, settings_models


def schema_name(file_name: str) -> str:
    """`procedure.yaml` -> `procedure.schema.json`."""
    return file_name.rsplit(".", 1)[0] + ".schema.json"


def with_settings(model_cls: type[BaseModel], instruments: Sequence) -> type[BaseModel]:
    """methods.yaml's model with each instrument's section typed by its own model (`Instrument.settings_model`),
    as `load_standards` validates it: the schema editors get describes every field of every section."""
    fields: dict = {key: (settings | None, None) for key, settings in settings_models(instruments).items()}
    return create_model(model_cls.__name__, __base__=model_cls, __doc__=model_cls.__doc__, **fields)


def json_schemas(*, instruments: Sequence) -> dict[str, str]:
    """Return {schema file name: JSON text} for every standards file (methods.yaml's with the instruments'
    sections)."""
    out = {}
    for file_name, model_cls in FILES.items():
        if file_name == METHODS_FILE:
            model_cls = with_settings(model_cls, instruments)
        schema = model_cls.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = file_name
        out[schema_name(file_name)] = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return out


def write_schemas(folder: Path, *, instruments: Sequence) -> list[Path]:
    """Write every schema into `folder`; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in json_schemas(instruments=instruments).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
