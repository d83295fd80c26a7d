"""Versioned prompt templates. Data, not code: this file only makes the folder a package."""
