"""Stance without a model: the article's own candidate targets (:mod:`.targets`), a
target-directed sentiment-lexicon score (:mod:`.lexicon`) and how the evidence becomes a
label with a probability (:mod:`.decide`). May import: detect, text, schemas."""
