"""Cross-article analysis: speakers resolved across a corpus of Extractions, and tidy tables.
May import: schemas, errors, text, detect (word lists); the cli and the report import it."""
