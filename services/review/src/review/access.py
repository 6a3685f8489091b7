"""Who may call each review route. Experts see only the cases they are drawn for; until the
review service records draws, no case list is open to them."""

from servicekit.security.access import Allow, policy, query_unit

ACCESS = policy([
    ("GET", "/cases", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=query_unit())),
])
