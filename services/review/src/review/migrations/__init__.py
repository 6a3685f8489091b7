"""Alembic revisions of the review database (run with `python -m review migrate`)."""
