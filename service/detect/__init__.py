"""Deterministic claim detection for the guided strategy: quotations, reporting cues and
their word lists, attribution rules, indirect speech, headlines, mentions, candidate
speakers. May import: text. The entry point is :func:`.detector.detect_claims`."""
