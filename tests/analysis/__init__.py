"""Tests of claimstance.analysis: cross-article speakers and the tables."""
