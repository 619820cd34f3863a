"""Benchmarks of the sandbox, never part of the test suite: `python -m benchmarks.run`, `python -m benchmarks.scale`."""
