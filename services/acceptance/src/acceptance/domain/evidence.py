"""Evidence owed because of what the project contracted, not only what approval fixed.

Approval fixes what acceptance owes from the facts it knows. A third-party test is owed by an
amount approval rarely knows (YF-13b: 应用软件开发费用) or only "where required" (YL-25c); the
project's contract with a tester settles it, and the tester's report becomes evidence owed before
the final review. Pure: the service passes the pack, what approval fixed and the roles contracted.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from policy.schema import Pack

from acceptance.domain.gates import Owed


def owed_on_contract(pack: Pack, fixed: Sequence[Owed], roles: Collection[str]) -> tuple[Owed, ...]:
    """What approval fixed, with the items it left open made owed by the supplier now contracted.

    Approval hands on items that are required or pending; an optional item (``mandatory = false``) it
    leaves out, while an item it judged not required is left out too. So an absent item is taken as
    owed only when it is optional, and a present one only when it is pending."""
    owed = list(fixed)
    for req in pack.requirements:
        if req.stage != "acceptance" or req.owed_with_supplier is None or req.owed_with_supplier not in roles:
            continue
        at = next((i for i, o in enumerate(owed) if o.key == req.key), None)
        if at is None and not req.mandatory:
            owed.append(Owed(req.key, "required", tuple(req.rules)))
        elif at is not None and owed[at].status == "pending":
            owed[at] = Owed(req.key, "required", owed[at].rule_ids)
    return tuple(owed)
