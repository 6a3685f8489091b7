"""Alembic revisions of the procurement database (run with `python -m procurement migrate`)."""
