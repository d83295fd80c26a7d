"""Locating model-returned strings in the raw text (exact, normalised, fuzzy) and
assembling quotes the model cut, elided or split around their cue. May import: text, schemas."""
