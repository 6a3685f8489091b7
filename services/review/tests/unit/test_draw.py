"""The verifiable random draw of experts (BY-20.2b, BY-5.2b): committed seed, reproducible ranking,
and who is excluded and why."""

from datetime import datetime, timedelta, timezone

from review.domain.draw import Booking, Expert, Meeting, commitment, draw, eligibility, new_seed, verify

T0 = datetime(2027, 3, 1, 1, 0, tzinfo=timezone.utc)
POOL = "白云区信息化专家库"


def expert(expert_id: str, employer: str = "某大学", fields=("软件",), pools=(POOL,), active=True) -> Expert:
    return Expert(expert_id, employer, tuple(fields), tuple(pools), active)


def meeting(**changes) -> Meeting:
    values = dict(pool=POOL, fields=("软件",), starts_at=T0, ends_at=T0 + timedelta(hours=3),
                  conflicted_employers=("承建公司",), involved_experts=("E-DESIGNER",))
    values.update(changes)
    return Meeting(**values)


def test_by_20_2b_the_draw_is_reproducible_from_the_revealed_seed_and_independent_of_list_order():
    seed = new_seed()
    candidates = [f"E{n:02d}" for n in range(20)]
    picked = draw(seed, 1, candidates, 5)
    assert picked == draw(seed, 1, list(reversed(candidates)), 5) and len(set(picked)) == 5
    assert verify(seed, commitment(seed), 1, candidates, 5, picked)
    assert not verify(new_seed(), commitment(seed), 1, candidates, 5, picked)  # another seed does not match the commitment


def test_by_20_2b_different_seeds_draw_differently():
    candidates = [f"E{n:02d}" for n in range(30)]
    outcomes = {tuple(draw(new_seed(), 1, candidates, 5)) for _ in range(10)}
    assert len(outcomes) > 1


def test_a_replacement_draw_ranks_afresh_for_its_attempt():
    seed, candidates = "a" * 64, [f"E{n:02d}" for n in range(10)]
    assert draw(seed, 2, candidates, 1) == draw(seed, 2, candidates, 1)


def test_by_5_2b_conflicts_involvement_bookings_and_fields_exclude_with_their_reason():
    experts = [expert("E-OK"), expert("E-VENDOR", employer="承建公司"), expert("E-DESIGNER"), expert("E-BUSY"),
               expert("E-NET", fields=("网络",)), expert("E-OFF", active=False), expert("E-CITY", pools=("广州市信息化专家库",)),
               expert("E-DRAWN")]
    bookings = [Booking("E-BUSY", T0 + timedelta(hours=2), T0 + timedelta(hours=5)), Booking("E-OK", T0 + timedelta(hours=3), T0 + timedelta(hours=4))]
    eligible, excluded = eligibility(experts, meeting(), bookings, already=["E-DRAWN"])
    assert eligible == ["E-OK"]  # a meeting that starts when another ends does not overlap
    assert {e.expert_id: e.reason for e in excluded} == {
        "E-VENDOR": "conflict_employer", "E-DESIGNER": "involved", "E-BUSY": "booked", "E-NET": "field",
        "E-OFF": "inactive", "E-DRAWN": "already_drawn"}
    assert all(e.reason_zh for e in excluded)
