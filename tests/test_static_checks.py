"""Static security checks over the code that ships: libraries, services and the dev tools.

Bandit at medium severity and medium confidence and above; below that it mostly reports asserts
and the dev tools' subprocess calls, which are deliberate. A finding that is a false positive is
answered where it stands, with ``# nosec <test id>`` and the reason, so the next reader sees both.

Dependency advisories are not checked here: pip-audit needs PyPI's per-version JSON API or
osv.dev, and where it cannot reach them it skips every package and still reports "No known
vulnerabilities found". Run it with ``--strict`` (a skipped package fails) where the advisory
service is reachable.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
SHIPPED = sorted(str(path.relative_to(ROOT)) for pattern in ("libs/*/src", "services/*/src", "tools/*/src")
                 for path in ROOT.glob(pattern))


def test_the_scanned_code_is_all_there():
    assert {path.split("/")[0] for path in SHIPPED} == {"libs", "services", "tools"}


def test_bandit_finds_nothing_of_medium_severity_or_more():
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "--quiet", "--recursive", "--format", "json",
         "--severity-level", "medium", "--confidence-level", "medium", *SHIPPED],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    report = json.loads(run.stdout)
    assert not report["errors"], f"bandit could not scan: {report['errors']}"
    findings = [
        f"{Path(result['filename']).as_posix()}:{result['line_number']}: {result['test_id']} "
        f"({result['issue_severity'].lower()} severity, {result['issue_confidence'].lower()} confidence) "
        f"{result['issue_text']}"
        for result in report["results"]
    ]
    assert not findings, "bandit findings:\n" + "\n".join(findings)
    assert run.returncode == 0, run.stderr
