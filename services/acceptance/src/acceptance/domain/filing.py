"""The acceptance filing of a project the higher authorities co-ordinate (BZ-31): accepted as they
require, its result filed with the 领导小组办公室. Pure: the service passes what the project owes and
the roles of the documents filed."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from servicekit.problems import Problem

from acceptance.domain.gates import Owed

UPPER_LEVEL_FILING = "upper_level_result_filing"
UPPER_LEVEL_DOCUMENT = "upper_level_acceptance"


def upper_level_filing(owed: Sequence[Owed]) -> Owed | None:
    """The filing approval fixed for a project the higher authorities fund and co-ordinate (BZ-31)."""
    return next((o for o in owed if o.key == UPPER_LEVEL_FILING and o.status == "required"), None)


def filing_problems(owed: Sequence[Owed], document_roles: Collection[str]) -> list[Problem]:
    """The filing of such a project records the higher authority's acceptance result it files."""
    upper = upper_level_filing(owed)
    if upper is None or UPPER_LEVEL_DOCUMENT in document_roles:
        return []
    return [Problem("documents", "the higher authorities accepted this project as they require: the filing brings their "
                    "acceptance result (upper_level_acceptance)", "上级统筹建设项目须随备案报送上级部门的验收结果", upper.rule_ids)]
