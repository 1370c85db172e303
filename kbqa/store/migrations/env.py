"""Alembic's entry point for kbqa's migrations: runs them on the connection ``kbqa.store.db`` hands over
(``config.attributes["connection"]``), in one transaction. On PostgreSQL an advisory lock makes replicas that
upgrade at the same time (init containers) take turns; SQLite's BEGIN IMMEDIATE does the same there."""
from alembic import context

# Held until the transaction ends; the key is any constant that nothing else uses.
LOCK_SQL = "SELECT pg_advisory_xact_lock(7240514001)"

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("kbqa's migrations run through `kbqa db upgrade`, not the alembic command")
context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(LOCK_SQL)
    context.run_migrations()
