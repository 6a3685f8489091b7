"""Identity, access control and the request context every service shares."""
