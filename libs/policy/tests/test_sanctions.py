"""The acceptance-failure rows of the sanction matrix (RULES.md §3.10.1), per pack."""

import pytest

from policy.packs import BY, BZ, DY, PACKS, YF, YL, UnknownPack, get_pack
from policy.sanctions import after_acceptance_failed, final_review_outcome, final_review_pass_rule, lifted_by_acceptance_passed


def effects(sanctions):
    return {(s.effect, s.scope, s.rule_ids) for s in sanctions}


def test_by_47_3a_first_failed_final_review_is_not_terminal():
    assert final_review_outcome(BY, 1) == (False, "BY-47.3a")


def test_by_47_3b_failed_re_review_terminates():
    assert final_review_outcome(BY, 2) == (True, "BY-47.3b")


def test_by_22_8_failure_blocks_upgrades_of_that_project_only():
    assert effects(after_acceptance_failed(BY, terminal=False)) == {("unit_block", "upgrade_of_project", ("BY-22.8",))}


def test_by_47_3b_terminal_failure_terminates_and_recovers_remaining_funds_by_38b():
    assert effects(after_acceptance_failed(BY, terminal=True)) == {
        ("unit_block", "upgrade_of_project", ("BY-22.8",)),
        ("terminate_project", "project", ("BY-47.3b", "BY-37.2")),
        ("finance_hold", "recover_remaining", ("BY-38b", "BY-47.3b")),
    }


def test_bz_30_failure_blocks_new_projects_and_om_funding():
    assert effects(after_acceptance_failed(BZ, terminal=False)) == {
        ("unit_block", "all_new_projects", ("BZ-30",)),
        ("finance_hold", "no_om_funding", ("BZ-30",)),
    }


def test_dy_24_failure_holds_remaining_funds():
    assert effects(after_acceptance_failed(DY, terminal=False)) == {("finance_hold", "remaining", ("DY-24",))}


@pytest.mark.parametrize("pack", [YF, YL])
def test_packs_without_a_stated_sanction_set_off_nothing(pack):
    assert after_acceptance_failed(pack, terminal=False) == ()


@pytest.mark.parametrize("pack", [BZ, DY, YF, YL])
def test_packs_without_an_attempt_limit_never_terminate_a22(pack):
    assert final_review_outcome(pack, 7)[0] is False


def test_releases_on_pass_are_marked_inferred_where_the_text_is_silent_a19():
    by = lifted_by_acceptance_passed(BY)
    assert [s.rule_ids for s in by] == [("BY-22.8",)] and not by[0].lift_inferred
    assert all(s.lift_inferred for s in lifted_by_acceptance_passed(BZ) + lifted_by_acceptance_passed(DY))


def test_terminal_sanctions_have_no_release():
    terminal_only = set(after_acceptance_failed(BY, terminal=True)) - set(after_acceptance_failed(BY, terminal=False))
    assert all(s.lifted_by is None for s in terminal_only)


def test_every_sanction_speaks_both_languages():
    for pack in PACKS.values():
        for sanction in after_acceptance_failed(pack, terminal=True):
            assert sanction.message_en and sanction.message_zh


def test_unknown_pack_or_version_is_refused():
    with pytest.raises(UnknownPack):
        get_pack("XX")
    with pytest.raises(UnknownPack):
        get_pack("BY", "1999.1")


def test_attempts_start_at_one():
    with pytest.raises(ValueError):
        final_review_outcome(BY, 0)


def test_a_passed_final_review_cites_the_rule_it_was_held_under():
    assert final_review_pass_rule(BY) == "BY-47a"
    assert final_review_pass_rule(BZ) == "BZ-29" and final_review_pass_rule(DY) == "DY-22"
