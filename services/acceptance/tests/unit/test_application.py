"""The unit's application for the acceptance the bureau organises (DY-20a, DY-20c, YL-22a): when it is
owed, what must come first, what it brings, and that the final review waits for it."""

from datetime import date

from policy.calendar import build_calendar
from policy.packs import get_pack

from acceptance.domain.gates import Owed, Standing, application_owed, application_problems, final_review_problems

BY, DY, YL = get_pack("BY"), get_pack("DY"), get_pack("YL")
CALENDAR = build_calendar(allow_provisional=True)
PAPERS = {"written_request", "acceptance_report"}
SELF_EVALUATION = Owed("performance_self_evaluation", "required", ("DY-20c", "DY-A5"))


def dy(**changes) -> Standing:
    base = dict(project_class="software_development", contract_amount_yuan=900_000, initial_passed_on=date(2026, 9, 1),
                regime="approval")
    return Standing(**{**base, **changes})


def problems(pack, standing, roles=PAPERS, self_evaluation=None, completed=True):
    return [(p.field, p.rule_ids, p.status) for p in application_problems(pack, standing, roles, self_evaluation, completed)]


def test_dy_20a_the_unit_applies_after_its_initial_acceptance_with_both_sets_of_materials():
    assert application_owed(DY, dy())
    assert problems(DY, dy()) == []
    assert problems(DY, dy(initial_passed_on=None)) == [("project_id", ("DY-20a", "DY-19"), 409)]
    assert problems(DY, dy(), {"written_request"}) == [("documents", ("DY-20a",), 422)]
    assert problems(DY, dy(), {"acceptance_report"}) == [("documents", ("DY-20a",), 422)]
    assert problems(DY, dy(applied=True)) == [("project_id", ("DY-20a",), 409)]


def test_dy_20c_from_2m_total_investment_the_self_evaluation_comes_with_the_application():
    assert problems(DY, dy(), PAPERS, SELF_EVALUATION) == [("documents", ("DY-20c", "DY-A5"), 422)]
    assert problems(DY, dy(), PAPERS | {"self_evaluation"}, SELF_EVALUATION) == []


def test_yl_22a_under_approval_the_unit_applies_once_the_content_is_built():
    standing = Standing(project_class="software_development", contract_amount_yuan=3_000_000, regime="approval")
    assert application_owed(YL, standing)
    assert problems(YL, standing, {"written_request"}, completed=False) == [("project_id", ("YL-22a",), 409)]
    assert problems(YL, standing, {"written_request"}) == []


def test_yl_22b_by_46_where_the_unit_organises_acceptance_itself_there_is_nothing_to_apply_for():
    filed = Standing(project_class="software_development", contract_amount_yuan=3_000_000, regime="filing")
    assert not application_owed(YL, filed)
    assert problems(YL, filed, {"written_request"}) == [("project_id", ("YL-22a", "YL-22b"), 409)]
    assert not application_owed(BY, Standing(project_class="build_develop", contract_amount_yuan=1, regime="approval"))


def test_dy_20a_a_bureau_led_final_acceptance_passes_only_on_the_units_application():
    day = date(2026, 11, 2)
    waiting = [(p.field, p.rule_ids) for p in final_review_problems(DY, dy(), day, None, CALENDAR)]
    assert ("project_id", ("DY-20a",)) in waiting
    assert ("project_id", ("DY-20a",)) not in [(p.field, p.rule_ids) for p in final_review_problems(DY, dy(applied=True), day, None,
                                                                                                     CALENDAR)]
    # a failure does not wait for it: what is missing is what a failure may rest on
    assert final_review_problems(DY, dy(), day, None, CALENDAR, result="failed") == []
