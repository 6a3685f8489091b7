"""Pack files: a bad pack fails at load naming the field, and nothing starts on one.

Every broken case is the real BY pack with one edit, so a test fails only for the defect it names
and keeps testing the loader as the bundled data changes. Choosing a version by date follows A-32
(RULES.md §5): a project is judged by the version in force when it was declared.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from policy import packs
from policy.packs import (
    PackError,
    PackNotInForce,
    UnknownPack,
    bundled_pack_files,
    load_pack,
    load_pack_file,
    load_registry,
)

BUNDLED = {path.name: path for path in bundled_pack_files()}
BY_FILE = BUNDLED["BY-2024.1.toml"]
BY_TEXT = BY_FILE.read_text(encoding="utf-8")
CALENDAR_TABLE = (
    "[calendar]\n"
    "extend_if_rest_day = true\n"
    'rules_note = "a natural-day period ending on a rest day ends on the next working day (民法典 §203)"\n'
)
MICRO_RULES = 'inclusive = true, rules = ["BY-19.1a"]'
BY = load_pack(BY_TEXT, source=BY_FILE.name)


def edit(old: str, new: str, text: str = BY_TEXT) -> str:
    # An edit that silently matches nothing would test the unbroken pack and pass for the wrong reason.
    assert text.count(old) == 1, f"expected exactly one {old!r} in the BY pack"
    return text.replace(old, new)


def load_error(text: str, source: str = "BY-2024.1.toml") -> str:
    with pytest.raises(PackError) as caught:
        load_pack(text, source=source)
    message = str(caught.value)
    assert message.startswith(f"{source}: "), message
    return message


def by_version(version: str, valid_from: str) -> str:
    return edit("valid_from = 2024-10-25", f"valid_from = {valid_from}",
                edit('version = "2024.1"', f'version = "{version}"'))


# ---- positive: the bundled packs ---------------------------------------------------------------

def test_all_five_bundled_packs_load():
    assert sorted(BUNDLED) == ["BY-2024.1.toml", "BZ-2022.1.toml", "DY-2020.1.toml", "YF-2020.1.toml", "YL-draft.1.toml"]
    loaded = {path.name: load_pack_file(path) for path in BUNDLED.values()}
    assert {p.ref for p in loaded.values()} == {("BY", "2024.1"), ("BZ", "2022.1"), ("DY", "2020.1"), ("YF", "2020.1"),
                                               ("YL", "draft.1")}
    registry = load_registry()
    assert [p.id for p in registry] == ["BY", "BZ", "DY", "YF", "YL"]


def test_the_unedited_by_text_loads():
    # guards every negative test below: each fails only because of its own edit
    assert BY.ref == ("BY", "2024.1")


# ---- missing required fields -------------------------------------------------------------------

def test_missing_valid_from_on_a_published_pack_names_the_field():
    """BY-62: the pack is in force from its issuance; only a draft (YL-36) may leave the date out."""
    message = load_error(edit("valid_from = 2024-10-25\n", ""))
    assert "pack" in message and "valid_from" in message
    assert "draft" in message


def test_missing_calendar_table_names_it():
    message = load_error(edit(CALENDAR_TABLE, ""))
    assert "calendar: Field required" in message


def test_missing_measure_rules_names_the_dotted_path():
    """BY-33.3c is the rule that defines how a change is measured; the pack must cite it."""
    message = load_error(edit('measure_rules = ["BY-33.3c"]\n', ""))
    assert "change.measure_rules: Field required" in message


# ---- wrong types -------------------------------------------------------------------------------

def test_float_amount_is_refused_with_its_path():
    """Amounts are whole 元 compared as integers (A-40): 500000.0 is not an amount."""
    message = load_error(edit("micro = { yuan = 500_000,", "micro = { yuan = 500000.0,"))
    assert "classification.micro.yuan" in message
    assert "500000.0" in message


def test_string_amount_is_refused_with_its_path():
    message = load_error(edit("micro = { yuan = 500_000,", 'micro = { yuan = "500000",'))
    assert "classification.micro.yuan" in message
    assert "'500000'" in message


def test_date_written_as_string_is_refused():
    message = load_error(edit("valid_from = 2024-10-25", 'valid_from = "2024-10-25"'))
    assert "pack.valid_from" in message
    assert "valid date" in message


def test_bool_written_as_string_is_refused():
    message = load_error(edit("extend_if_rest_day = true", 'extend_if_rest_day = "true"'))
    assert "calendar.extend_if_rest_day" in message
    assert "boolean" in message


def test_bool_written_as_string_inside_an_inline_table():
    message = load_error(edit(MICRO_RULES, 'inclusive = "yes", rules = ["BY-19.1a"]'))
    assert "classification.micro.inclusive" in message


# ---- rule IDs ----------------------------------------------------------------------------------

def test_unknown_rule_id_names_the_citation_and_the_id():
    message = load_error(edit(MICRO_RULES, 'inclusive = true, rules = ["BY-999"]'))
    assert "classification.micro.rules[0]" in message
    assert "BY-999" in message
    assert "unknown rule ID" in message


def test_unknown_rule_id_in_a_star_rules_key():
    message = load_error(edit('measure_rules = ["BY-33.3c"]', 'measure_rules = ["BY-33.3c", "BY-33.3z"]'))
    assert "change.measure_rules[1]" in message and "BY-33.3z" in message


def test_rule_id_that_is_not_a_rule_id_at_all_is_refused():
    message = load_error(edit(MICRO_RULES, 'inclusive = true, rules = ["19.1a"]'))
    assert "classification.micro.rules[0]" in message


def test_rule_of_another_jurisdiction_is_refused():
    """YL-11a exists in the catalogue but is 玉林's approval line; a BY pack may cite only BY rules."""
    message = load_error(edit(MICRO_RULES, 'inclusive = true, rules = ["YL-11a"]'))
    assert "classification.micro.rules[0]" in message
    assert "YL-11a" in message and "another jurisdiction" in message


def test_every_bad_citation_is_reported_at_once():
    text = edit(MICRO_RULES, 'inclusive = true, rules = ["BY-999"]',
                edit('measure_rules = ["BY-33.3c"]', 'measure_rules = ["YL-11a"]'))
    message = load_error(text)
    assert "classification.micro.rules[0]" in message and "change.measure_rules[0]" in message


# ---- shape -------------------------------------------------------------------------------------

def test_misspelt_key_is_refused_not_ignored():
    message = load_error(edit(MICRO_RULES, 'inclusiv = true, rules = ["BY-19.1a"]'))
    assert "classification.micro.inclusiv" in message and "Extra inputs are not permitted" in message
    assert "classification.micro.inclusive: Field required" in message


def test_invalid_toml_says_so_and_names_the_source():
    message = load_error(edit("[classification]\n", "[classification\n"), source="BY-2025.1.toml")
    assert "not valid TOML" in message
    assert "BY-2025.1.toml" in message
    line = BY_TEXT[: BY_TEXT.index("[classification]\n")].count("\n") + 1
    assert f"line {line}," in message


def test_valid_to_before_valid_from_is_refused():
    """BY-62: a validity window that ends before it starts is a typo, not an empty pack."""
    message = load_error(edit("valid_from = 2024-10-25\n", "valid_from = 2024-10-25\nvalid_to = 2024-10-24\n"))
    assert "pack" in message and "valid_to is before valid_from" in message


def test_overridable_sanction_must_cite_a_rule_listed_as_overridable():
    """原则上 (A-10): only a rule the pack lists in overridable.rules may be set aside by override."""
    text = edit('scope = "upgrade_of_project"\n', 'scope = "upgrade_of_project"\noverridable = true\n')
    message = load_error(text)
    index = next(i for i, s in enumerate(BY.sanctions) if s.scope == "upgrade_of_project")
    assert f"sanctions[{index}].overridable" in message
    assert "BY-22.8" in message and "overridable.rules" in message


def test_overridable_requirement_must_cite_a_rule_listed_as_overridable():
    text = edit('rules = ["BY-15b"]\nwhen', 'rules = ["BY-15b"]\noverridable = true\nwhen')
    message = load_error(text)
    index = [r.key for r in BY.requirements].index("feasibility_study")
    assert f"requirements[{index}].overridable" in message
    assert "BY-15b" in message


def test_overridable_sanction_citing_an_overridable_rule_loads():
    """BY-53.2 is 原则上 and listed, so marking its sanction overridable is accepted."""
    (fail_grade,) = [s for s in BY.sanctions if "BY-53.2" in s.rules]
    assert fail_grade.overridable and "BY-53.2" in BY.overridable.rules


def test_duplicate_requirement_stage_and_key_is_refused():
    message = load_error(edit('key = "asset_catalogue"', 'key = "it_development_plan"'))
    assert "requirements" in message and "duplicate stage.key" in message
    assert "planning.it_development_plan" in message


def test_by_57_an_acceptance_concern_key_listed_twice_is_refused():
    message = load_error(edit('key = "risk_assessment"', 'key = "security_responsibility"'))
    assert "acceptance.concerns" in message and "security_responsibility" in message


def test_by_58_an_encouragement_cannot_be_made_a_refusal():
    message = load_error(edit('rules = ["BY-58"], advisory = true', 'rules = ["BY-58"], advisory = true, refuses = true'))
    assert "reuse_via_yue_fuyong" in message and "advisory" in message


def test_a_co_reviewer_asked_after_a_step_the_pack_does_not_have_is_refused():
    message = load_error(edit('{ body = "video_office", name_zh = "区视频办",', '{ body = "video_office", name_zh = "区视频办", after = "committee_review",'))
    assert "co_reviewers[2].after" in message and "committee_review" in message


# ---- files and registries ----------------------------------------------------------------------

def test_file_name_must_match_id_and_version(tmp_path):
    path = tmp_path / "BY-2025.1.toml"
    path.write_text(BY_TEXT, encoding="utf-8")
    with pytest.raises(PackError, match=r"BY-2025\.1\.toml: .*should be named BY-2024\.1\.toml"):
        load_pack_file(path)


def test_unreadable_pack_file_is_a_pack_error(tmp_path):
    with pytest.raises(PackError, match="cannot read pack file"):
        load_pack_file(tmp_path / "BY-2030.1.toml")


def test_broken_file_in_the_extra_dir_fails_the_whole_registry(tmp_path):
    (tmp_path / "BY-2026.1.toml").write_text(
        edit("micro = { yuan = 500_000,", "micro = { yuan = 500000.0,", by_version("2026.1", "2026-07-01")), encoding="utf-8")
    with pytest.raises(PackError, match=r"BY-2026\.1\.toml: .*classification\.micro\.yuan"):
        load_registry(tmp_path)


def test_same_pack_version_twice_is_refused(tmp_path):
    # the bundled BY-2024.1 plus an administrator's copy of it
    (tmp_path / "BY-2024.1.toml").write_text(BY_TEXT, encoding="utf-8")
    with pytest.raises(PackError, match=r"BY@2024\.1 is defined twice"):
        load_registry(tmp_path)


def test_packs_dir_that_is_not_a_directory_is_refused(tmp_path):
    not_a_dir = tmp_path / "packs.toml"
    not_a_dir.write_text(BY_TEXT, encoding="utf-8")
    with pytest.raises(PackError, match=r"POLICY_PACKS_DIR=.*packs\.toml is not a directory"):
        load_registry(not_a_dir)
    with pytest.raises(PackError, match="is not a directory"):
        load_registry(tmp_path / "missing")


def test_get_names_known_versions_when_the_pack_is_unknown():
    with pytest.raises(UnknownPack, match=r"BY@2099\.1.*BY@2024\.1"):
        load_registry().get("BY", "2099.1")


# ---- choosing the version in force (A-32) -------------------------------------------------------

@pytest.fixture
def with_by_2026(tmp_path):
    (tmp_path / "BY-2026.1.toml").write_text(by_version("2026.1", "2026-07-01"), encoding="utf-8")
    return load_registry(tmp_path)


def test_extra_pack_version_is_picked_up(with_by_2026):
    assert [p.version for p in with_by_2026.versions("BY")] == ["2024.1", "2026.1"]
    assert with_by_2026.get("BY", "2026.1").pack.valid_from == date(2026, 7, 1)
    assert with_by_2026.get("BY", "2024.1").version == "2024.1"


@pytest.mark.parametrize(("declared", "version"), [
    (date(2025, 1, 1), "2024.1"),
    (date(2026, 6, 30), "2024.1"),
    (date(2026, 7, 1), "2026.1"),
    (date(2026, 8, 1), "2026.1"),
])
def test_a_32_project_is_judged_by_the_version_in_force_when_declared(with_by_2026, declared, version):
    assert with_by_2026.in_force("BY", declared).version == version


def test_by_62_nothing_in_force_before_issuance():
    registry = load_registry()
    assert registry.in_force("BY", date(2024, 10, 25)).version == "2024.1"
    with pytest.raises(PackNotInForce, match="BY.*2024-10-24"):
        registry.in_force("BY", date(2024, 10, 24))


def test_yf_28_expired_pack_is_not_in_force_unless_the_deployment_allows_lapsed():
    registry = load_registry()
    assert registry.in_force("YF", date(2025, 1, 31)).version == "2020.1"
    with pytest.raises(PackNotInForce, match="YF"):
        registry.in_force("YF", date(2025, 2, 1))
    assert registry.in_force("YF", date(2025, 2, 1), allow_lapsed=True).ref == ("YF", "2020.1")


def test_dy_31_trial_ends_after_two_years():
    registry = load_registry()
    assert registry.in_force("DY", date(2022, 7, 12)).version == "2020.1"
    with pytest.raises(PackNotInForce):
        registry.in_force("DY", date(2022, 7, 13))
    assert registry.in_force("DY", date(2022, 7, 13), allow_lapsed=True).version == "2020.1"


def test_yl_36_draft_is_in_force_nowhere_unless_chosen():
    registry = load_registry()
    with pytest.raises(PackNotInForce, match="unpublished draft"):
        registry.in_force("YL", date(2026, 1, 1))
    # a draft has no date, so lapsed versions are no way round it either
    with pytest.raises(PackNotInForce):
        registry.in_force("YL", date(2026, 1, 1), allow_lapsed=True)
    assert registry.in_force("YL", date(2026, 1, 1), allow_draft=True).ref == ("YL", "draft.1")


def test_in_force_of_an_unknown_pack():
    with pytest.raises(UnknownPack):
        load_registry().in_force("XX", date(2026, 1, 1))


# ---- nothing starts on a broken pack ------------------------------------------------------------

@pytest.fixture
def broken_packs_dir(tmp_path):
    directory = tmp_path / "packs"
    directory.mkdir()
    text = edit("valid_from = 2026-07-01", 'valid_from = "2026-07-01"', by_version("2026.1", "2026-07-01"))
    (directory / "BY-2026.1.toml").write_text(text, encoding="utf-8")
    return directory


def test_load_policy_refuses_a_broken_pack(broken_packs_dir, monkeypatch):
    from servicekit.policy import load_policy
    from servicekit.settings import ServiceSettings

    for name in ("POLICY_PACK", "POLICY_PACKS_DIR", "CALENDAR_OVERRIDES_FILE", "CALENDAR_ALLOW_PROVISIONAL"):
        monkeypatch.delenv(name, raising=False)
    # a failed start must not leave a half-loaded registry behind for the process
    monkeypatch.setattr(packs, "_installed", None)
    settings = ServiceSettings.for_service("intake", 8001)(
        database_url="postgresql+asyncpg://u@h/d", auth_issuer="urn:test", auth_jwks_url="http://127.0.0.1:1/jwks", policy_packs_dir=broken_packs_dir)
    with pytest.raises(PackError, match=r"BY-2026\.1\.toml: .*pack\.valid_from"):
        load_policy(settings)
    assert packs._installed is None


def test_load_policy_installs_a_valid_extra_version(tmp_path, monkeypatch):
    from servicekit.policy import load_policy
    from servicekit.settings import ServiceSettings

    for name in ("POLICY_PACK", "POLICY_PACKS_DIR", "CALENDAR_OVERRIDES_FILE", "CALENDAR_ALLOW_PROVISIONAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(packs, "_installed", None)
    (tmp_path / "BY-2026.1.toml").write_text(by_version("2026.1", "2026-07-01"), encoding="utf-8")
    settings = ServiceSettings.for_service("intake", 8001)(database_url="postgresql+asyncpg://u@h/d", auth_issuer="urn:test", auth_jwks_url="http://127.0.0.1:1/jwks", policy_packs_dir=tmp_path)
    loaded = load_policy(settings)
    assert loaded.packs.in_force("BY", date(2026, 8, 1)).version == "2026.1"
    assert packs.default_registry() is loaded.packs


def test_service_refuses_to_migrate_on_a_broken_pack(broken_packs_dir):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INTAKE_", "POLICY_", "CALENDAR_", "CLOCK_", "NATS_", "AUTH_"))}
    # port 1 refuses connections: had the service reached the database, the failure would be a traceback
    env |= {"POLICY_PACKS_DIR": str(broken_packs_dir),
            "INTAKE_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none",
            "AUTH_ISSUER": "urn:test", "AUTH_JWKS_URL": "http://127.0.0.1:1/jwks"}
    result = subprocess.run([sys.executable, "-m", "intake", "migrate"], env=env, capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).parent)
    assert result.returncode != 0
    assert result.stderr.startswith("intake: BY-2026.1.toml: invalid pack:"), result.stderr
    assert "pack.valid_from" in result.stderr
    assert "Traceback" not in result.stderr
    assert "latest revision" not in result.stderr


def test_a_when_with_a_value_the_event_cannot_carry_is_refused_at_load():
    """EvaluationCompleted grades are excellent/qualified/basically_qualified/unqualified: a pack saying
    "fail" would never match, and BY-53.2 would silently never apply."""
    message = load_error(edit('when = { grade = "unqualified" }', 'when = { grade = "fail" }'))
    assert "when.grade" in message and "EvaluationCompleted.grade" in message and "unqualified" in message


def test_a_when_naming_no_field_of_the_event_is_refused_at_load():
    message = load_error(edit('when = { grade = "unqualified" }', 'when = { mark = "unqualified" }'))
    assert "when.mark" in message and "EvaluationCompleted has no field 'mark'" in message
