"""Ingest: HTTP fetching, feed parsing, OPML, polling schedule."""
