"""What an import found or did, row by row in aggregate: the preview and the receipt.

Kept small whatever the file's size: counts, the first problems, the first rows, and the
distinct stages and unknown owners up to a limit. It travels as JSON in `ImportJob.preview`.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.translation import ngettext

from funnel.transfer.records import Problem

Status = Literal["new", "update", "duplicate", "error"]
STATUSES: list[Status] = ["new", "update", "duplicate", "error"]
MAX_PROBLEMS = 500
MAX_SAMPLE = 25
MAX_STAGES = 100
MAX_OWNERS = 20


@dataclass
class RowResult:
    """One row of the preview table."""

    line: int
    status: Status
    person: str = ""
    organisation: str = ""
    deal: str = ""


@dataclass
class Summary:
    rows: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    # What was (or would be) created and updated: "people", "organisations", "opportunities".
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    sample: list[RowResult] = field(default_factory=list)
    stages: Counter[str] = field(default_factory=Counter)
    unknown_owners: list[str] = field(default_factory=list)

    @property
    def created_text(self) -> str:
        return records_text(self.created)

    def count_row(self, result: RowResult, problems: list[Problem]) -> None:
        self.rows += 1
        self.statuses[result.status] += 1
        if len(self.sample) < MAX_SAMPLE:
            self.sample.append(result)
        self.problems_total += len(problems)
        room = MAX_PROBLEMS - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def count_stage(self, stage: str) -> None:
        if stage in self.stages or len(self.stages) < MAX_STAGES:
            self.stages[stage] += 1

    def unknown_owner(self, email: str) -> None:
        if email not in self.unknown_owners and len(self.unknown_owners) < MAX_OWNERS:
            self.unknown_owners.append(email)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "statuses": {status: self.statuses[status] for status in STATUSES},
            "created": dict(self.created),
            "updated": dict(self.updated),
            "problems": [[p.line, p.column, p.message, p.warning] for p in self.problems],
            "problems_total": self.problems_total,
            "sample": [[r.line, r.status, r.person, r.organisation, r.deal] for r in self.sample],
            "stages": dict(self.stages.most_common()),
            "unknown_owners": self.unknown_owners,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Summary":
        return cls(
            rows=data.get("rows", 0),
            statuses=Counter(data.get("statuses", {})),
            created=Counter(data.get("created", {})),
            updated=Counter(data.get("updated", {})),
            problems=[Problem(*problem) for problem in data.get("problems", [])],
            problems_total=data.get("problems_total", 0),
            sample=[RowResult(*row) for row in data.get("sample", [])],
            stages=Counter(data.get("stages", {})),
            unknown_owners=list(data.get("unknown_owners", [])),
        )


def records_text(counts: Counter[str] | dict[str, int]) -> str:
    """'3 people, 1 organisation, 2 opportunities' in the user's language."""
    people, organisations, opportunities = (
        counts.get(kind, 0) for kind in ("people", "organisations", "opportunities")
    )
    return ", ".join(
        [
            ngettext("%(count)d person", "%(count)d people", people) % {"count": people},
            ngettext("%(count)d organisation", "%(count)d organisations", organisations)
            % {"count": organisations},
            ngettext("%(count)d opportunity", "%(count)d opportunities", opportunities)
            % {"count": opportunities},
        ]
    )
