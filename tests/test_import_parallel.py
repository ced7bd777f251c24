"""A large file is read on a second core: the same rows, the same refusals."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from funnel.contacts.models import ImportBatch, Person
from funnel.transfer import actions, parallel
from funnel.transfer.errors import TransferError
from funnel.transfer.sources import open_source
from funnel.transfer.summary import Summary
from tests.import_helpers import FIXTURES


def import_file(user: User, path: Path) -> Summary:
    source = open_source(path, team=user.profile.team, region="IT")
    _batch, summary = actions.run_import(
        user=user, source=source, file_name=path.name, stages=actions.stage_levels([], {})
    )
    return summary


def test_a_file_read_by_a_second_process_imports_the_same(
    owner: User, outsider: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = import_file(owner, FIXTURES / "hubspot_deals.csv")
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "CHUNK", 1)  # several hand-overs, even for a small file
    shared = import_file(outsider, FIXTURES / "hubspot_deals.csv")
    assert shared.as_json() == alone.as_json()


def test_a_line_the_second_process_cannot_read_stops_the_import_whole(
    owner: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "CHUNK", 10)
    path = tmp_path / "mixed.csv"
    lines = ["Name,Email", "José Ruiz,jose@x.example"]  # UTF-8 from the start
    lines += [f"Person {n},p{n}@x.example" for n in range(3000)]
    utf8 = ("\n".join(lines) + "\n").encode()
    path.write_bytes(utf8 + "Müller,m@x.example\n".encode("latin-1"))  # then Latin-1
    with pytest.raises(TransferError, match=r"3,003|3003"):
        import_file(owner, path)
    assert not Person.objects.exists() and not ImportBatch.objects.exists()
