"""Which blocks refuse a declaration (BY-22, BZ-30)."""

from datetime import date as _date
from datetime import datetime, timezone

from intake.domain.standing import Block, DeclarationFacts, end_of_next_year, lift_description, refuses, refusing_blocks

NOW = datetime(2026, 11, 23, tzinfo=timezone.utc)


def block(scope: str, rule: str, project: str = "P1", lifted_by: str | None = "AcceptancePassed", inferred=False) -> Block:
    return Block("b1", scope, (rule,), project, "e1", "AcceptanceFailed", NOW, lifted_by, inferred, "en", "zh")


def test_bz_30_block_refuses_every_new_declaration():
    assert refusing_blocks([block("all_new_projects", "BZ-30")], DeclarationFacts("U1", None))


def test_by_22_8_block_refuses_only_an_upgrade_of_the_failed_project():
    blocks = [block("upgrade_of_project", "BY-22.8", project="P1")]
    assert refusing_blocks(blocks, DeclarationFacts("U1", "P1"))
    assert not refusing_blocks(blocks, DeclarationFacts("U1", "P2"))
    assert not refusing_blocks(blocks, DeclarationFacts("U1", None))


def test_by_48d_review_suspension_does_not_itself_refuse_a_declaration():
    assert not refusing_blocks([block("reviews_suspended", "BY-48d")], DeclarationFacts("U1", None))


def test_lift_description_names_the_releasing_event_and_marks_inference():
    assert lift_description(block("all_new_projects", "BZ-30", inferred=True)) == "AcceptancePassed for project P1 (inferred where the text is silent)"
    assert "no release" in lift_description(block("all_new_projects", "BZ-30", lifted_by=None))


# ---- scopes of the sanction matrix ----------------------------------------------------------



def scoped(scope, *, project_class=None, until=None, project_id="P-1"):
    return Block("b", scope, ("X-1",), project_id, "e", "Evt", datetime(2026, 11, 2, tzinfo=timezone.utc), None, False,
                 "m", "m", project_class, until)


def facts(project_class="build_develop", on=_date(2026, 11, 23), upgrade_of=None):
    return DeclarationFacts("U-1", upgrade_of, project_class, on)


def test_by_22_7_and_bz_30_all_new_projects_refuse_every_declaration():
    assert refuses(scoped("all_new_projects"), facts())


def test_bz_47_information_systems_refuse_every_declaration():
    assert refuses(scoped("information_systems"), facts())


def test_by_53_2_same_type_next_year_refuses_only_that_class_until_the_end_of_next_year():
    block = scoped("same_type_next_year", project_class="build_develop", until=end_of_next_year(_date(2026, 11, 2)))
    assert block.until == _date(2027, 12, 31)  # the calendar year after the grading
    assert refuses(block, facts("build_develop", _date(2027, 12, 31)))
    assert not refuses(block, facts("build_develop", _date(2028, 1, 1)))
    assert not refuses(block, facts("service", _date(2027, 6, 1)))


def test_by_22_9_same_type_until_rectified_and_unknown_class_refuses_all():
    assert refuses(scoped("same_type", project_class="service"), facts("service"))
    assert not refuses(scoped("same_type", project_class="service"), facts("build_develop"))
    assert refuses(scoped("same_type", project_class=None), facts("build_develop"))


def test_bz_32c_other_systems_next_year_ends_after_next_year():
    block = scoped("other_systems_next_year", until=_date(2027, 12, 31))
    assert refuses(block, facts(on=_date(2027, 1, 5))) and not refuses(block, facts(on=_date(2028, 1, 1)))


def test_by_48d_review_suspension_does_not_refuse_the_declaration_itself():
    assert not refuses(scoped("subsequent_reviews"), facts())
