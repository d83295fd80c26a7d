"""The HTML report (``claimstance report``): its data model, span checks and one page.
May import: analysis, inputs, text, errors, schemas; only the cli imports it."""
