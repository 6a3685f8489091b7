"""Alembic revisions of the intake database (run with `python -m intake migrate`)."""
