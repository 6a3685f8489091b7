"""Which blocks refuse a declaration (BY-22, BZ-30)."""

from datetime import datetime, timezone

from intake.domain.standing import Block, DeclarationFacts, lift_description, refusing_blocks

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
