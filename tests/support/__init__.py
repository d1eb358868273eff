"""Helpers shared by the tests, the benchmarks (bench/) and the tools (tools/): local news
and chat servers, fault sites, evaluation data readers and clustering metrics.

Run from the repository root (pytest does; benchmarks and tools run as modules, e.g.
``python -m bench.cluster_quality``), so ``tests.support`` imports without path edits.
"""
