"""`funnel export [PATH] [--user U] [--json]`: write everything the user's team owns to a zip.

The zip is written under a temporary name next to PATH and linked to PATH once complete, so PATH is
never a half-written file; an existing PATH is never overwritten.
"""

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from tqdm import tqdm

from funnel.transfer.errors import TransferError
from funnel.transfer.export import file_name, write_export
from funnel.transfer.export_kinds import KINDS


def run(args: argparse.Namespace) -> None:
    user: User = args.user  # funnel.cli picked them (--user, or the only one)
    path = Path(args.path) if args.path else Path.cwd() / file_name(user)
    counts = export_to(path, user=user, progress=sys.stderr.isatty() and not args.json)
    if args.json:
        print(json.dumps({"path": str(path), "counts": counts}, indent=2))
        return
    print(_("Exported to %(path)s:") % {"path": path})
    for kind, count in counts.items():
        print(f"  {kind}: {count}")


def export_to(path: Path, *, user: User, progress: bool = False) -> dict[str, int]:
    """Write the export to `path`, which must not exist yet; return the records of each kind."""
    if path.exists():
        raise TransferError(
            _("%(path)s already exists: choose another name, or move it away first.")
            % {"path": path}
        )
    if not path.parent.is_dir():
        raise TransferError(_("There is no folder %(folder)s.") % {"folder": path.parent})
    try:
        handle, temporary = tempfile.mkstemp(prefix=".funnel-export-", dir=path.parent)
    except OSError as exc:
        raise TransferError(
            _("Cannot write in %(folder)s: %(reason)s")
            % {"folder": path.parent, "reason": exc.strerror}
        ) from exc
    counts: dict[str, int] = {}
    try:
        with os.fdopen(handle, "wb") as out:
            with tqdm(total=total_rows(user) if progress else None, disable=not progress) as bar:
                for rows in write_export(out, user=user, counts=counts):
                    bar.update(rows)
            out.flush()
            os.fsync(out.fileno())
        # A link, unlike a rename, fails if the name was taken meanwhile: theirs stays.
        os.link(temporary, path)
    except FileExistsError as exc:
        raise TransferError(
            _("%(path)s appeared meanwhile: it was not replaced.") % {"path": path}
        ) from exc
    except OSError as exc:
        raise TransferError(
            _("Cannot write %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
    return counts


def total_rows(user: User) -> int:
    """For the progress bar: a count per kind, only when someone watches."""
    team = user.profile.team
    return sum(kind.rows(team).count() for kind in KINDS)
