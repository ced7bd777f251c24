"""`funnel backup [PATH]`: a consistent copy of the database, taken while Funnel runs."""

import argparse
from pathlib import Path

from funnel.transfer.backup import back_up


def run(args: argparse.Namespace) -> None:
    written = back_up(Path(args.path) if args.path else None)
    print(f"Wrote {written.path} ({size_in_words(written.size)}).")


def size_in_words(size: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"
