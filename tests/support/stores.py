"""Looking into a store from the tests, beside the product's own queries."""

from __future__ import annotations

from sqlalchemy import text

from storywire import Store


def article_rows(store: Store) -> list[tuple[object, ...]]:
    """Every stored article row, to check that a failure damaged nothing."""
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM articles ORDER BY id")).all()
    return [tuple(r) for r in rows]
