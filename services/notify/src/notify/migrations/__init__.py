"""Alembic revisions of the notify database (run with `python -m notify migrate`)."""
