"""Raw-text primitives: the glyph table (quotation marks, dashes), verb inflection,
normalisation with a map back to raw offsets, and chunking. Imports nothing of claimstance."""
