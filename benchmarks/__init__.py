"""On-demand benchmarks (not part of ``make test``): run them with ``python -m benchmarks.…``."""
