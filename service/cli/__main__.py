"""``python -m claimstance.cli`` (what batch worker processes and tests run)."""

from claimstance.cli import app

app()
