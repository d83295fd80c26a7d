"""Exported JSON Schemas of the output contract (generated; see `claimstance schema`)."""
