"""Versioned prompt templates, installed as ``claimstance.prompt_templates``.

Data, not code: this file only makes the folder a package; :mod:`claimstance.prompts`
loads and renders the YAML files next to it.
"""
