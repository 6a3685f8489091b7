"""Fixtures for the integration tests: real NATS, real Postgres, services as real processes.

The servers come from the environment (``NATS_URL`` and ``POSTGRES_ADMIN_URL``), from
Docker through testcontainers where an engine answers, or else from the pip-installed
binaries, started in a temporary directory (see ``devstack.servers.Infrastructure``).
"""
