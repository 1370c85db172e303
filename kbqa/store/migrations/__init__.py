"""Alembic migrations of the kbqa database, shipped inside the package. They run through
``kbqa.store.db.Database.upgrade`` (``kbqa db upgrade``; SQLite databases upgrade themselves at start), never
through an alembic.ini. A new migration: ``versions/NNNN_what.py`` with ``down_revision`` the previous one, and
``kbqa.store.schema.HEAD`` and the tables there updated to match."""
