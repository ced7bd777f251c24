"""Benchmarks: a large data set for one user, and the timings of the pages that must stay fast.

Run them as modules from the project folder (`uv run python -m benchmarks.generate`, then
`uv run python -m benchmarks.run`); see README.md.
"""

import os
from pathlib import Path

DEFAULT_DATA_DIR = Path(".bench-data")


def start_django(data_dir: Path) -> None:
    """Point Funnel at the benchmark's data folder, in production mode, and set Django up."""
    import django

    os.environ["FUNNEL_DATA_DIR"] = str(data_dir.resolve())
    os.environ["FUNNEL_DEBUG"] = "false"
    os.environ["FUNNEL_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "funnel.settings")
    django.setup()
