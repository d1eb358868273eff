"""Alembic environment: runs on the connection (and transaction) the store passes in.

See :mod:`storywire.store.migrate`: the whole upgrade is one transaction, so it either
completes or leaves the schema as it was.
"""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
