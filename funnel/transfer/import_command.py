"""`funnel import FILE`: the same reading, matching and writing as the web page, on a terminal.

Without --yes it reads the file through first and shows what it would do (a dry run stops
there), then asks; with --yes it imports in one pass.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Never

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import override
from tqdm import tqdm

from funnel.contacts.models import ImportBatch
from funnel.sales.models import Level
from funnel.transfer import actions
from funnel.transfer.errors import TransferError
from funnel.transfer.reading import FileKind, file_kind
from funnel.transfer.sources import Source, open_source, region_of
from funnel.transfer.summary import Summary, records_text

SHOWN_PROBLEMS = 20


def run(args: argparse.Namespace) -> None:
    user: User = args.user
    with override(user.profile.language or "en"):
        if args.list:
            list_imports(user, as_json=args.json)
        elif args.undo is not None:
            undo(user, args.undo, as_json=args.json)
        elif not args.file:
            raise TransferError(_("Name the file to import (or --list, or --undo ID)."))
        else:
            import_file(user, Path(args.file), args)


def import_file(user: User, path: Path, args: argparse.Namespace) -> None:
    if not path.is_file():
        raise TransferError(_("There is no file %(path)s.") % {"path": path})
    if file_kind(path) == FileKind.ZIP:
        import_funnel_export(user, path, args)
        return
    source = open_source(
        path,
        team=user.profile.team,
        region=region_of(user.profile),
        columns=pairs(args.map, _("--map wants COLUMN=FIELD, like 'Cell=person.phone.mobile'")),
    )
    chosen = pairs(args.stage, _("--stage wants STAGE=LEVEL, like 'Negotiation=best_few'"))
    wrong = [level for level in chosen.values() if level not in Level.values]
    if wrong:
        raise TransferError(
            _("%(level)s is not a level: use one of %(levels)s.")
            % {"level": wrong[0], "levels": ", ".join(Level.values)}
        )
    total = source.expected_rows
    if args.yes and not args.dry_run:
        stages = actions.stage_levels([], chosen)
        with bar(total, args.json, _("Importing")) as progress:
            batch, summary = actions.run_import(
                user=user,
                source=source,
                file_name=path.name,
                stages=stages,
                progress=progress.update,
            )
        report(source, summary, stages=dict(stages), batch=batch, as_json=args.json)
        return
    with bar(total, args.json, _("Reading")) as progress:
        summary = actions.preview(user=user, source=source, stages={}, progress=progress.update)
    stages = actions.stage_levels(list(summary.stages), chosen)
    report(source, summary, stages=stages, batch=None, as_json=args.json, dry_run=True)
    if args.dry_run:
        return
    if not sys.stdin.isatty():
        raise TransferError(_("Nothing imported yet: add --yes to import without being asked."))
    answer = input(_("Import it? [y/N] ")).strip().casefold()
    if answer not in {"y", "yes", _("y"), _("yes")}:
        print(_("Nothing imported."))
        return
    with bar(total, args.json, _("Importing")) as progress:
        batch, summary = actions.run_import(
            user=user, source=source, file_name=path.name, stages=stages, progress=progress.update
        )
    report(source, summary, stages=stages, batch=batch, as_json=args.json)


def import_funnel_export(user: User, path: Path, args: argparse.Namespace) -> None:
    from funnel.transfer.restore_export import import_export_zip

    if args.dry_run:
        raise TransferError(_("A Funnel export is imported whole: a dry run can't show it."))
    counts = import_export_zip(path, user)
    if args.json:
        print(json.dumps({"file": str(path), "tool": "Funnel", "created": counts}, indent=2))
        return
    print(_("Imported the Funnel export %(file)s:") % {"file": path.name})
    for kind, count in counts.items():
        print(f"  {kind}: {count}")


def pairs(items: list[str], message: str) -> dict[str, str]:
    result = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise TransferError(f"{message}: {item!r}")
        result[key.strip()] = value.strip()
    return result


def bar(total: int | None, as_json: bool, label: str) -> "tqdm[Never]":
    return tqdm(
        total=total,
        desc=label,
        unit=_("rows"),
        file=sys.stderr,
        disable=as_json or not sys.stderr.isatty(),
        dynamic_ncols=True,
    )


def report(
    source: Source,
    summary: Summary,
    *,
    stages: dict[str, str],
    batch: ImportBatch | None,
    as_json: bool,
    dry_run: bool = False,
) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "file": source.path.name,
                    "tool": source.tool,
                    "columns": source.columns,
                    "stages": {stage: stages.get(stage) for stage in summary.stages},
                    "batch": batch.pk if batch else None,
                    "dry_run": dry_run,
                    **summary.as_json(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print(report_text(source, summary, stages=stages, batch=batch))


def report_text(
    source: Source, summary: Summary, *, stages: dict[str, str], batch: ImportBatch | None
) -> str:
    lines = [
        _("%(file)s: %(tool)s, %(rows)d rows.")
        % {"file": source.path.name, "tool": source.tool, "rows": summary.rows}
    ]
    if source.columns:
        lines.append(_("Columns:"))
        lines.extend(
            f"  {header} → {target}" + ("" if target == source.suggested.get(header) else " *")
            for header, target in source.columns.items()
        )
    if summary.stages:
        no_stage = _("(no stage)")
        lines.append(_("Stages (change with --stage STAGE=LEVEL):"))
        lines.extend(
            f"  {stage or no_stage} → {Level(stages[stage]).label} ({count})"
            for stage, count in summary.stages.items()
        )
    statuses = summary.statuses
    lines.append(
        (_("Imported:") if batch else _("What the import would do:"))
        + " "
        + _(
            "%(new)d new, %(update)d to update, %(duplicate)d already there, "
            "%(error)d with problems"
        )
        % {key: statuses[key] for key in ("new", "update", "duplicate", "error")}
    )
    lines.append(
        "  "
        + (_("created: %(records)s") if batch else _("to create: %(records)s"))
        % {"records": records_text(summary.created)}
    )
    if summary.updated:
        lines.append(
            "  "
            + (_("filled in: %(records)s") if batch else _("to fill in: %(records)s"))
            % {"records": records_text(summary.updated)}
        )
    if summary.unknown_owners:
        lines.append(
            _("Owners with no account here (their deals are yours): %(emails)s")
            % {"emails": ", ".join(summary.unknown_owners)}
        )
    if summary.problems:
        lines.append(
            _(
                "Problems (a row with ✗ is left out: fix it and import the file again; with ! the "
                "row is imported and the value kept in its notes):"
            )
        )
        for problem in summary.problems[:SHOWN_PROBLEMS]:
            where = _("line %(line)d") % {"line": problem.line}
            if problem.column:
                where += f", {problem.column}"
            lines.append(f"  {'!' if problem.warning else '✗'} {where}: {problem.message}")
        more = summary.problems_total - SHOWN_PROBLEMS
        if more > 0:
            lines.append("  " + _("… and %(count)d more (--json lists 500)") % {"count": more})
    if batch:
        lines.append(_("To undo it: funnel import --undo %(id)d") % {"id": batch.pk})
    return "\n".join(lines)


def list_imports(user: User, *, as_json: bool) -> None:
    batches = ImportBatch.objects.visible_to(user).order_by("-created")[:100]
    rows = [
        {
            "id": batch.pk,
            "file": batch.file_name,
            "tool": batch.source,
            "imported": batch.created.isoformat(),
            "undone": batch.undone.isoformat() if batch.undone else None,
            "created": batch.counts.get("created", {}),
        }
        for batch in batches
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        print(_("No imports yet."))
    for row in rows:
        made = records_text(row["created"])
        undone = _(" (undone)") if row["undone"] else ""
        print(
            f"{row['id']:>5}  {row['imported'][:16]}  {row['file']} ({row['tool']}): {made}{undone}"
        )


def undo(user: User, batch_id: int, *, as_json: bool) -> None:
    removed = actions.undo_import(user=user, batch_id=batch_id)
    if as_json:
        print(json.dumps({"undone": batch_id, "removed": removed}, indent=2))
        return
    print(
        _(
            "Undone: removed %(people)d people, %(organisations)d organisations and "
            "%(opportunities)d opportunities."
        )
        % removed
    )
