"""The web console over the five services (门户)."""
