"""Alembic revisions of the acceptance database (run with `python -m acceptance migrate`)."""
