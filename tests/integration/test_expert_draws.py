"""Expert meetings and their random draw (BY-20.2b, BY-5.2b): the seed is committed before and
revealed after, anyone re-running it gets the same experts, a declined expert is replaced by a
further draw, and two draws at the same moment never book one expert twice."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from review.domain.draw import verify
from tests.integration.harness import BUREAU, PLAN_DOCUMENTS, Actor, applicant, eventually, leader

pytestmark = pytest.mark.integration

POOL = "白云区信息化专家库"


async def experts_in_pool(api, count: int, employer_of=lambda n: f"高校{n}") -> list[str]:
    tag = uuid.uuid4().hex[:6]
    ids = []
    for n in range(count):
        body = {"expert_id": f"X-{tag}-{n:02d}", "username": f"expert.{tag}.{n}", "name": f"专家{n}", "employer": employer_of(n),
                "fields": ["电子政务"], "pools": [POOL]}
        response = await api["review"].post("/experts", body, as_=BUREAU)
        assert response.status_code == 201, response.text
        ids.append(body["expert_id"])
    return ids


async def case_for(api, unit_id) -> str:
    body = {"unit_id": unit_id, "project_name": "政务大数据平台", "declared_amount_yuan": 3_000_000, "project_class": "build_develop",
            "documents": PLAN_DOCUMENTS}
    project_id = (await api["intake"].post("/declarations", body, as_=applicant(unit_id))).json()["project_id"]

    async def opened():
        return (await api["review"].get(f"/cases/{project_id}", as_=BUREAU)).status_code == 200 or None
    await eventually(opened, what="review case")
    return project_id


def meeting_body(day: int, hour: int = 9, **extra) -> dict:
    # a day far ahead, its own per test run, so meetings of other tests never overlap these
    return {"pool": POOL, "fields": ["电子政务"], "size": 3, "starts_at": f"2031-{day // 28 + 1:02d}-{day % 28 + 1:02d}T{hour:02d}:00:00+08:00",
            "ends_at": f"2031-{day // 28 + 1:02d}-{day % 28 + 1:02d}T{hour + 3:02d}:00:00+08:00", **extra}


def a_day() -> int:
    return uuid.uuid4().int % 300


async def test_by_20_2b_a_draw_is_committed_revealed_and_reproducible(api, unit_id):
    pool = await experts_in_pool(api, 8, employer_of=lambda n: "承建公司" if n == 0 else f"高校{n}")
    project_id = await case_for(api, unit_id)
    scheduled = await api["review"].post(f"/cases/{project_id}/meetings",
                                         meeting_body(a_day(), conflicted_employers=["承建公司"]), as_=BUREAU)
    assert scheduled.status_code == 201, scheduled.text
    meeting = scheduled.json()
    assert meeting["seed"] is None and len(meeting["seed_commitment"]) == 64  # committed, not yet revealed

    drawn = await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)
    assert drawn.status_code == 201, drawn.text
    result = drawn.json()
    (first,) = result["draws"]
    assert len(first["selected"]) == 3 and pool[0] not in first["candidates"]
    assert {"expert_id": pool[0], "reason": "conflict_employer"}.items() <= next(
        e for e in first["excluded"] if e["expert_id"] == pool[0]).items()
    # anyone holding the published record re-runs it (candidates may include other tests' pool members)
    assert verify(result["seed"], meeting["seed_commitment"], 1, first["candidates"], 3, first["selected"])
    again = await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)
    assert again.status_code == 409  # one draw per meeting; declines are replaced, not redrawn


async def test_a_declined_expert_is_replaced_by_a_further_draw(api, unit_id):
    await experts_in_pool(api, 6)
    project_id = await case_for(api, unit_id)
    # BY-16e: the bureau may call experts on the plan itself
    meeting = (await api["review"].post(f"/cases/{project_id}/meetings", meeting_body(a_day(), stage="plan_review"), as_=BUREAU)).json()
    assert meeting["stage"] == "plan_review"
    drawn = (await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)).json()
    gone = drawn["draws"][0]["selected"][0]
    replaced = await api["review"].post(f"/meetings/{meeting['meeting_id']}/declines", {"expert_id": gone, "reason": "出差"}, as_=BUREAU)
    assert replaced.status_code == 201, replaced.text
    body = replaced.json()
    second = body["draws"][1]
    assert second["attempt"] == 2 and len(second["selected"]) == 1 and gone not in second["candidates"]
    assert verify(body["seed"], body["seed_commitment"], 2, second["candidates"], 1, second["selected"])
    seats = {b["expert_id"]: b["status"] for b in body["bookings"]}
    assert seats[gone] == "declined" and sum(status == "booked" for status in seats.values()) == 3
    twice = await api["review"].post(f"/meetings/{meeting['meeting_id']}/declines", {"expert_id": gone, "reason": "再次"}, as_=BUREAU)
    assert twice.status_code == 409 and twice.json()["field"] == "expert_id"


async def test_a_draw_larger_than_the_eligible_pool_is_refused_and_books_nobody(api, unit_id, dbs):
    project_id = await case_for(api, unit_id)
    meeting = (await api["review"].post(f"/cases/{project_id}/meetings", meeting_body(a_day(), size=25), as_=BUREAU)).json()
    refused = await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)
    assert refused.status_code == 422 and refused.json()["field"] == "size" and refused.json()["rule_ids"] == ["BY-20.2b"]
    assert await dbs["review"].value("SELECT count(*) FROM expert_booking WHERE meeting_id = $1", uuid.UUID(meeting["meeting_id"])) == 0
    wrong_pool = await api["review"].post(f"/cases/{project_id}/meetings", meeting_body(a_day(), pool="某市专家库"), as_=BUREAU)
    assert wrong_pool.status_code == 422 and wrong_pool.json()["field"] == "pool"


async def test_concurrent_draws_for_overlapping_meetings_never_double_book(api, unit_id, dbs):
    await experts_in_pool(api, 8)
    projects = [await case_for(api, unit_id) for _ in range(4)]
    day = a_day()
    meetings = [(await api["review"].post(f"/cases/{p}/meetings", meeting_body(day, hour=9 + i % 2), as_=BUREAU)).json()
                for i, p in enumerate(projects)]
    results = await asyncio.gather(*(api["review"].post(f"/meetings/{m['meeting_id']}/draw", as_=BUREAU) for m in meetings))
    assert all(r.status_code in (201, 422) for r in results), [r.text for r in results]
    booked = [e for r in results if r.status_code == 201 for e in r.json()["draws"][0]["selected"]]
    assert len(booked) == len(set(booked))  # every meeting overlaps every other: nobody sits twice
    clashes = await dbs["review"].value("""
        SELECT count(*) FROM expert_booking a JOIN expert_booking b
          ON a.expert_id = b.expert_id AND a.id < b.id AND a.status = 'booked' AND b.status = 'booked'
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at""")
    assert clashes == 0


async def test_an_expert_sees_only_the_meetings_they_sit_on(api, unit_id):
    pool = await experts_in_pool(api, 4)
    project_id = await case_for(api, unit_id)
    meeting = (await api["review"].post(f"/cases/{project_id}/meetings", meeting_body(a_day()), as_=BUREAU)).json()
    drawn = (await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)).json()
    listing = (await api["review"].get("/experts", as_=BUREAU, pool=POOL)).json()
    usernames = {e["expert_id"]: e["username"] for e in listing}
    sitting = drawn["draws"][0]["selected"][0]
    mine = await api["review"].get("/experts/me/meetings", as_=Actor(("expert",), None, usernames[sitting]))
    assert meeting["meeting_id"] in [m["meeting_id"] for m in mine.json()]
    outsider = next(e for e in pool if e not in drawn["draws"][0]["selected"])  # 4 in this test's pool, 3 drawn at most
    theirs = await api["review"].get("/experts/me/meetings", as_=Actor(("expert",), None, usernames[outsider]))
    assert meeting["meeting_id"] not in [m["meeting_id"] for m in theirs.json()]
    assert (await api["review"].get(f"/meetings/{meeting['meeting_id']}", as_=leader(unit_id))).status_code == 200
    listed = (await api["review"].get(f"/cases/{project_id}/meetings", as_=leader(unit_id))).json()
    assert [m["meeting_id"] for m in listed] == [meeting["meeting_id"]] and listed[0]["seed"] is not None


async def test_by_20_2b_only_a_drawn_expert_writes_an_opinion_and_only_once(api, unit_id):
    pool = await experts_in_pool(api, 4)
    project_id = await case_for(api, unit_id)
    meeting = (await api["review"].post(f"/cases/{project_id}/meetings", meeting_body(a_day()), as_=BUREAU)).json()
    drawn = (await api["review"].post(f"/meetings/{meeting['meeting_id']}/draw", as_=BUREAU)).json()["draws"][0]["selected"]
    usernames = {e["expert_id"]: e["username"] for e in (await api["review"].get("/experts", as_=BUREAU, pool=POOL)).json()}
    path = f"/meetings/{meeting['meeting_id']}/opinions"
    body = {"recommendation": "revise", "opinion": "建设内容与已有系统存在重复，建议整合后实施。"}

    outsider = next(e for e in pool if e not in drawn)
    refused = await api["review"].post(path, body, as_=Actor(("expert",), None, usernames[outsider]))
    assert refused.status_code == 409 and refused.json()["rule_ids"] == ["BY-20.2b"] and refused.json()["field"] == "meeting_id"

    seated = Actor(("expert",), None, usernames[drawn[0]])
    written = await api["review"].post(path, body, as_=seated)
    assert written.status_code == 201 and written.json()["expert_id"] == drawn[0]
    again = await api["review"].post(path, {**body, "recommendation": "pass"}, as_=seated)
    assert again.status_code == 409 and again.json()["field"] == "opinion"
    short = await api["review"].post(path, {"recommendation": "pass", "opinion": "同意"}, as_=Actor(("expert",), None, usernames[drawn[1]]))
    assert short.status_code == 422 and short.json()["field"].endswith("opinion")

    listed = (await api["review"].get(path, as_=BUREAU)).json()
    assert [(o["expert_id"], o["recommendation"]) for o in listed] == [(drawn[0], "revise")]
    assert (await api["review"].get(path, as_=leader(unit_id))).status_code == 403
