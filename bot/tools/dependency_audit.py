"""The dependency audit of `make test`: pip-audit over the pinned `requirements.lock`.

pip-audit cannot live in the assistant's own environment (it needs `packaging>=21`, Rasa 3.6 pins
`packaging<21`), so `make audit` gives it a small environment of its own (`.venv-audit`, pinned in
`requirements-audit.lock`) and this module runs it there and reads its JSON report:

- every vulnerability found must be listed, with a decision, in `SECURITY.md` (a table row that
  starts with its id, e.g. `| CVE-2024-52304 |`); an unlisted one fails the audit;
- when the vulnerability service cannot be reached, pip-audit skips every package and would still
  print "No known vulnerabilities found": this module says plainly that the audit was NOT done.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Set, Tuple

ID = re.compile(r"^\|\s*((?:CVE|GHSA|PYSEC|OSV)-[\w-]+)\s*\|", re.MULTILINE)


@dataclass(frozen=True)
class Finding:
    """One vulnerability of one pinned package, with all its ids (CVE, GHSA, PYSEC)."""

    ids: Tuple[str, ...]
    pin: str

    def __str__(self) -> str:
        return f"{' / '.join(self.ids)} in {self.pin}"


@dataclass
class AuditReport:
    """What pip-audit found for the pinned packages."""

    packages: int = 0
    skipped: Dict[str, str] = field(default_factory=dict)
    findings: List[Finding] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Dict) -> "AuditReport":
        report = cls()
        for dependency in data.get("dependencies", []):
            report.packages += 1
            if dependency.get("skip_reason"):
                report.skipped[dependency["name"]] = dependency["skip_reason"]
                continue
            pin = f"{dependency['name']}=={dependency.get('version')}"
            for vulnerability in dependency.get("vulns", []):
                ids = (vulnerability["id"], *vulnerability.get("aliases", []))
                report.findings.append(Finding(ids, pin))
        return report

    @property
    def service_unreachable(self) -> bool:
        return self.packages > 0 and len(self.skipped) == self.packages


def accepted_ids(security_file: Path) -> Set[str]:
    """The vulnerability ids that SECURITY.md lists with a decision."""
    return set(ID.findall(security_file.read_text(encoding="utf-8")))


def without_decision(report: AuditReport, accepted: Set[str]) -> List[Finding]:
    """The findings none of whose ids SECURITY.md lists."""
    return [finding for finding in report.findings if not set(finding.ids) & accepted]


def run(pip_audit: str, lock: Path, security_file: Path) -> int:
    """Runs the audit and prints what it means; the exit code fails `make test` on new findings."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "audit.json"
        done = subprocess.run(
            [pip_audit, "-r", str(lock), "--no-deps", "--disable-pip", "--progress-spinner", "off",
             "-f", "json", "-o", str(output)],
            capture_output=True, text=True,
        )
        if not output.exists():
            print("Dependency audit NOT DONE: pip-audit did not produce a report "
                  f"(exit code {done.returncode}): {done.stderr.strip()[-500:]}")
            return 0 if "ConnectionError" in done.stderr or "NameResolution" in done.stderr else 1
        report = AuditReport.from_json(json.loads(output.read_text(encoding="utf-8")))
    if report.service_unreachable:
        print(f"Dependency audit NOT DONE: the vulnerability service could not be reached from this machine "
              f"({len(report.skipped)} of {report.packages} pinned packages could not be looked up). "
              f"Known vulnerabilities of the pinned versions and the decisions on them: {security_file.name}.")
        return 0
    open_ones = without_decision(report, accepted_ids(security_file))
    print(f"Dependency audit: {report.packages} pinned packages, {len(report.skipped)} not looked up, "
          f"{len(report.findings)} known vulnerabilities, {len(open_ones)} without a decision "
          f"in {security_file.name}.")
    for line in open_ones:
        print(f"  no decision yet: {line}")
    if report.skipped:
        print("  not looked up: " + ", ".join(sorted(report.skipped)))
    return 1 if open_ones else 0


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
