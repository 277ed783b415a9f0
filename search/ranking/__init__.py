"""Ranking above the stores: per-question fusion weights and the second stage, with the small
fitted parameter file they read (``params.json``, refitted by ``benchmarks/fit_ranking.py``)."""
