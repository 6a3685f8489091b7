"""What every service does the same way: settings, database and unit of work, transactional
outbox and relay, idempotent consumers with parking, JetStream set-up, telemetry, health."""
