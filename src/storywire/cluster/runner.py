"""Kept for older imports: the loop lives in :mod:`storywire.cluster.engine`."""

from .engine import BATCH, MERGE_COSINE, MERGE_COSINE_HEADLINES, MERGE_EVERY, cluster_stream

__all__ = ["BATCH", "MERGE_COSINE", "MERGE_COSINE_HEADLINES", "MERGE_EVERY", "cluster_stream"]
