"""Many articles through one configuration: the resumable engine and its job directory,
outcomes, worker processes, stats and prices, progress, flat tables, the provider Batch
API and Ray. May import: pipeline and everything below it (never evaluation or cli)."""
