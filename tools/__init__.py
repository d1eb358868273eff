"""Maintenance tools: run from the repository root as modules, e.g.
``python -m tools.train_cluster_model``."""
