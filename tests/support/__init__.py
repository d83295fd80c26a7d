"""Helpers shared by the tests: fakes, stubs, repository paths and the re-recording commands."""
