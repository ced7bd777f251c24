"""`funnel restore PATH`: a backup into an empty data folder or database, brought up to date."""

import argparse
from pathlib import Path

from django.conf import settings

from funnel.transfer.backup import restore


def run(args: argparse.Namespace) -> None:
    restored = restore(Path(args.path))
    users = f"{restored.users} user{'' if restored.users == 1 else 's'}"
    print(f"Restored {args.path} into {restored.into} ({users}), migrated to this version.")
    # The key is not in the backup, and logins and calendar events are signed with it.
    print(
        "Keep the old secret key: copy the secret_key file of the old data folder into "
        f"{settings.DATA_DIR} (or set FUNNEL_SECRET_KEY as before), or everyone logs in again "
        "and calendar apps see every follow-up as a new event."
    )
