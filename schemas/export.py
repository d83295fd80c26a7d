"""JSON Schema export of the contract; ``tests/test_contract.py`` fails when files drift."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from claimstance.schemas.drafts import ArticleDraft
from claimstance.schemas.models import Article, Extraction

EXPORTS: dict[str, type[BaseModel]] = {
    "article.schema.json": Article,
    "extraction.schema.json": Extraction,
    "article_draft.schema.json": ArticleDraft,
}
JSON_DIR = Path(__file__).parent / "json"


def render(model: type[BaseModel]) -> str:
    schema = model.model_json_schema(mode="serialization")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def export_schemas(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in EXPORTS.items():
        path = directory / name
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in export_schemas():
        print(path)
