"""Pack files, the rule-ID catalogue and the calendar override example, shipped as package data."""
