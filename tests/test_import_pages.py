"""The import pages: upload, preview with the mapping, import, undo; the job in between."""

import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django import Settings

from funnel.contacts.models import ImportBatch, Person
from funnel.sales.models import Opportunity
from funnel.transfer.models import ImportJob, SavedMapping
from tests.conftest import PASSWORD
from tests.helpers import Response, new_client

Callbacks = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
SHEET = (
    "Name,Company,Email,Phone,Favourite colour\n"
    "Maria Keller,Keller AG,maria@keller.example,+49 30 1234567,blue\n"
    "Jon Berg,Berg AB,jon@berg.example,,green\n"
    "Broken,Keller AG,not-an-email,,red\n"
)
DEALS = (
    "Deal Name,Account Name,Amount,Stage,Closing Date\n"
    "Website,Keller AG,1200,Negotiation/Review,2027-01-31\n"
    "Shop,Berg AB,800,Closed Lost,2026-10-01\n"
)


@pytest.fixture(autouse=True)
def run_jobs_inline(settings: Settings) -> None:
    settings.FUNNEL_RUN_JOBS_INLINE = True


def upload(
    client: Client, callbacks: Callbacks, content: str | bytes, name: str = "contacts.csv"
) -> Response:
    data = content.encode() if isinstance(content, str) else content
    with callbacks(execute=True):  # the job runs once the upload's transaction commits
        response = client.post(reverse("import_start"), {"file": SimpleUploadedFile(name, data)})
    return client.get(response["Location"]) if response.status_code == 302 else response


def confirm(client: Client, callbacks: Callbacks, job: ImportJob, **fields: str) -> Response:
    with callbacks(execute=True):
        response = client.post(
            reverse("import_confirm", args=[job.pk]), {"action": "import", **fields}
        )
    return client.get(response["Location"])


def test_an_upload_is_read_and_previewed_before_anything_is_written(
    owner_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    page = upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    text = page.content.decode()
    assert "What the import will do" in text
    assert "3 new rows" in text and "0 rows with problems, left out" in text
    assert "not-an-email" in text and "Imported; the value is kept in the notes" in text
    assert "Favourite colour" in text  # every column is shown with where it goes
    assert not Person.objects.exists()
    assert ImportJob.objects.get().status == ImportJob.Status.READY


def test_confirming_imports_and_the_import_can_be_undone(
    owner_client: Client, owner: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    job = ImportJob.objects.get()
    page = confirm(owner_client, django_capture_on_commit_callbacks, job)
    assert "Imported" in page.content.decode()
    assert sorted(Person.objects.values_list("name", flat=True)) == [
        "Broken",
        "Jon Berg",
        "Maria Keller",
    ]
    assert "not-an-email" in Person.objects.get(name="Broken").notes
    assert "Favourite colour: blue" in Person.objects.get(name="Maria Keller").notes
    batch = ImportBatch.objects.get()
    page = owner_client.post(reverse("import_undo", args=[batch.pk]), follow=True)
    assert "Import undone" in page.content.decode()
    assert not Person.objects.exists()


def test_a_double_click_on_import_imports_once(
    owner_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    job = ImportJob.objects.get()
    confirm(owner_client, django_capture_on_commit_callbacks, job)
    page = confirm(owner_client, django_capture_on_commit_callbacks, job)
    assert "already moved on" in page.content.decode()
    assert Person.objects.count() == 3 and ImportBatch.objects.count() == 1


def test_deal_stages_are_mapped_as_the_user_confirms(
    owner_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    page = upload(owner_client, django_capture_on_commit_callbacks, DEALS, "deals.csv")
    job = ImportJob.objects.get()
    stages = list(job.preview["stage_levels"])
    assert job.preview["stage_levels"]["Closed Lost"] == "lost"
    assert "Negotiation/Review" in page.content.decode()
    fields = {f"stage-{stages.index('Negotiation/Review')}": "best_few"}
    fields[f"stage-{stages.index('Closed Lost')}"] = "lost"
    confirm(owner_client, django_capture_on_commit_callbacks, job, **fields)
    assert Opportunity.objects.get(title="Website").level == "best_few"
    assert Opportunity.objects.get(title="Shop").level == "lost"


def test_a_corrected_column_is_read_again_and_remembered_for_the_next_file(
    owner_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    job = ImportJob.objects.get()
    headers = job.preview["headers"]
    fields = {f"column-{n}": job.preview["columns"][header] for n, header in enumerate(headers)}
    fields[f"column-{headers.index('Favourite colour')}"] = "person.job_title"
    confirm(owner_client, django_capture_on_commit_callbacks, job, **fields)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY  # read again, not imported yet
    assert job.preview["columns"]["Favourite colour"] == "person.job_title"
    confirm(owner_client, django_capture_on_commit_callbacks, job, **fields)
    assert Person.objects.get(name="Maria Keller").job_title == "blue"
    assert SavedMapping.objects.get().columns["Favourite colour"] == "person.job_title"
    upload(owner_client, django_capture_on_commit_callbacks, SHEET, "again.csv")
    again = ImportJob.objects.order_by("-pk").first()
    assert again is not None and again.preview["remembered"] is True
    assert again.preview["columns"]["Favourite colour"] == "person.job_title"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (os.urandom(4096), "not"),
        (b"Name,Email\n", "no rows"),
    ],
    ids=["empty", "random bytes", "header only"],
)
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(
    owner_client: Client,
    django_capture_on_commit_callbacks: Callbacks,
    content: bytes,
    message: str,
) -> None:
    page = upload(owner_client, django_capture_on_commit_callbacks, content)
    assert message in page.content.decode()
    assert not Person.objects.exists() and not ImportBatch.objects.exists()


def test_another_users_import_is_not_found(
    owner_client: Client, outsider: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    job = ImportJob.objects.get()
    intruder = new_client()
    intruder.force_login(outsider)
    assert intruder.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert intruder.post(reverse("import_confirm", args=[job.pk])).status_code == 404


def test_the_progress_poll_reloads_the_page_once_the_job_is_done(
    owner_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    upload(owner_client, django_capture_on_commit_callbacks, SHEET)
    job = ImportJob.objects.get()
    response = owner_client.get(reverse("import_job_progress", args=[job.pk]))
    assert response.status_code == 204 and response["HX-Refresh"] == "true"


@pytest.mark.django_db(transaction=True)
def test_the_job_runs_in_the_background_while_the_page_polls(settings: Settings) -> None:
    from funnel.accounts.actions import create_user

    settings.FUNNEL_RUN_JOBS_INLINE = False
    user = create_user(username="bg", password=PASSWORD)
    client = new_client()
    client.force_login(user)
    client.post(reverse("import_start"), {"file": SimpleUploadedFile("c.csv", SHEET.encode())})
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 20
    while job.status != ImportJob.Status.READY and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert job.preview["summary"]["statuses"]["new"] == 3


def test_a_funnel_export_uploaded_into_an_empty_funnel_is_recreated(
    owner: User, outsider_client: Client, django_capture_on_commit_callbacks: Callbacks
) -> None:
    from funnel.transfer.export import export_chunks
    from tests.import_helpers import deal_row, import_rows

    import_rows(owner, [deal_row(2, "Website", "Keller AG")])
    zipped = b"".join(export_chunks(owner))
    page = upload(outsider_client, django_capture_on_commit_callbacks, zipped, "export.zip")
    assert "A Funnel export" in page.content.decode()
    job = ImportJob.objects.get()
    page = confirm(outsider_client, django_capture_on_commit_callbacks, job)
    assert "Imported" in page.content.decode()
    assert Opportunity.objects.filter(title="Website").count() == 2  # the owner's and the copy
