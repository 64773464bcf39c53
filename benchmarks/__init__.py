"""suo's benchmarks: ``python -m benchmarks [name ...] [--quick]``."""
