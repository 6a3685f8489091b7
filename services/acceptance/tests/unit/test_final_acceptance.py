"""Final acceptance attempts (BY-47)."""

from datetime import date

import pytest

from acceptance.domain.final_acceptance import FinalAcceptance, FinalReviewRefused
from policy.packs import get_pack

BY, DY = get_pack("BY"), get_pack("DY")

TODAY = date(2026, 11, 23)


def test_by_47_3a_first_failure_allows_a_re_review():
    acceptance = FinalAcceptance(BY)
    review = acceptance.conclude("failed", date(2026, 11, 20), TODAY, ("性能不达标",))
    assert (review.attempt, review.terminal, review.rule_id) == (1, False, "BY-47.3a")
    assert acceptance.status == "open"


def test_by_47_3b_second_failure_terminates_and_refuses_a_third_review():
    acceptance = FinalAcceptance(BY)
    acceptance.conclude("failed", date(2026, 10, 1), TODAY, ("a",))
    review = acceptance.conclude("failed", date(2026, 11, 1), TODAY, ("b",))
    assert (review.attempt, review.terminal, review.rule_id) == (2, True, "BY-47.3b")
    with pytest.raises(FinalReviewRefused) as refused:
        acceptance.conclude("passed", date(2026, 11, 20), TODAY)
    assert refused.value.rule_ids == ("BY-47.3b",)


def test_pass_after_rectification_closes_acceptance():
    acceptance = FinalAcceptance(BY)
    acceptance.conclude("failed", date(2026, 10, 1), TODAY, ("a",))
    assert acceptance.conclude("passed", date(2026, 10, 30), TODAY).attempt == 2
    assert acceptance.status == "passed"
    with pytest.raises(FinalReviewRefused) as refused:
        acceptance.conclude("failed", date(2026, 11, 1), TODAY, ("late",))
    assert refused.value.code == "already_passed"


def test_dy_23_re_check_after_rectification_has_no_limit():
    acceptance = FinalAcceptance(DY)
    for month in range(1, 6):
        assert not acceptance.conclude("failed", date(2026, month, 1), TODAY, ("x",)).terminal
    assert acceptance.status == "open"


def test_a_failure_must_state_its_reasons_by_47_3a():
    with pytest.raises(FinalReviewRefused) as refused:
        FinalAcceptance(BY).conclude("failed", date(2026, 11, 20), TODAY)
    assert refused.value.field == "reasons"


def test_conclusion_cannot_be_in_the_future_or_before_the_previous_review():
    acceptance = FinalAcceptance(BY)
    with pytest.raises(FinalReviewRefused) as future:
        acceptance.conclude("passed", date(2026, 11, 24), TODAY)
    assert future.value.field == "concluded_on"
    acceptance.conclude("failed", date(2026, 11, 10), TODAY, ("x",))
    with pytest.raises(FinalReviewRefused) as earlier:
        acceptance.conclude("passed", date(2026, 11, 9), TODAY)
    assert earlier.value.field == "concluded_on"
    assert len(acceptance.reviews) == 1


def test_dy_22_dy_23_refusals_cite_the_projects_own_pack():
    acceptance = FinalAcceptance(DY)
    with pytest.raises(FinalReviewRefused) as unexplained:
        acceptance.conclude("failed", date(2026, 11, 20), TODAY)
    assert unexplained.value.rule_ids == ("DY-22", "DY-23") and unexplained.value.field == "reasons"
    acceptance.conclude("passed", date(2026, 11, 20), TODAY)
    with pytest.raises(FinalReviewRefused) as again:
        acceptance.conclude("passed", date(2026, 11, 21), TODAY)
    assert again.value.rule_ids == ("DY-22",)
