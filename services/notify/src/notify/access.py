"""Who may read which inbox: a unit its own, the bureau every unit's."""

from servicekit.security.access import Allow, path_unit, policy

ACCESS = policy([
    ("GET", "/units/{unit_id}/notifications", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                        units=path_unit())),
])
