"""Who may call each intake route (BY-5.2a: a unit declares for itself)."""

from servicekit.security.access import SUBMISSIONS, Allow, any_unit, body_unit, path_unit, policy

ACCESS = policy([
    ("POST", "/declarations", Allow.of("unit_applicant", "unit_leader", units=body_unit(), rate=SUBMISSIONS)),
    ("POST", "/batches", Allow.of("bureau_reviewer", "administrator")),
    ("GET", "/batches", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator", units=any_unit())),
    ("POST", "/units/{unit_id}/plans", Allow.of("unit_applicant", "unit_leader", units=path_unit(), rate=SUBMISSIONS)),
    ("GET", "/units/{unit_id}/plans", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                               units=path_unit())),
    ("GET", "/units/{unit_id}/standing", Allow.of("unit_applicant", "unit_leader", "bureau_reviewer", "administrator",
                                                   units=path_unit())),
])
