"""JSON Schema export of the contract; ``tests/test_contract.py`` fails when files drift."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from claimstance.schemas.drafts import ArticleDraft
from claimstance.schemas.models import SCHEMA_VERSION, Article, Extraction

EXPORTS: dict[str, type[BaseModel]] = {
    "article.schema.json": Article,
    "extraction.schema.json": Extraction,
    "article_draft.schema.json": ArticleDraft,
}
JSON_DIR = Path(__file__).parent / "json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(name: str) -> str:
    """A stable URI naming the schema and its version (a URN: nothing is fetched from it)."""
    return f"urn:claimstance:schema:{name.removesuffix('.schema.json')}:{SCHEMA_VERSION}"


def render(model: type[BaseModel], name: str | None = None) -> str:
    schema = model.model_json_schema(mode="serialization")
    name = name or next(n for n, m in EXPORTS.items() if m is model)
    schema = {"$schema": DIALECT, "$id": schema_id(name), **schema}
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in EXPORTS.items():
        path = directory / name
        path.write_text(render(model, name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # maintainers: refresh the copies in the source tree
    for path in export_schemas(JSON_DIR):
        print(path)
