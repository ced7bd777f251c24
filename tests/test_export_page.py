"""The "Your data" page: linked from Settings, a download that streams the team's zip, with
as many queries for many records as for a few."""

import io
import json
import zipfile

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber
from funnel.sales.models import Activity, Opportunity
from funnel.transfer.export import JSON_NAME

WRITES = ("INSERT", "UPDATE", "DELETE")


def download(client: Client) -> zipfile.ZipFile:
    response = client.get(reverse("export_download"))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.django_db
def test_settings_link_to_the_page_which_offers_the_download(owner_client: Client) -> None:
    settings = owner_client.get(reverse("settings"))
    assert reverse("export") in settings.text

    page = owner_client.get(reverse("export"))
    assert page.status_code == 200
    assert reverse("export_download") in page.text
    assert "people-vcard3.vcf" in page.text


@pytest.mark.django_db
def test_the_download_is_a_zip_named_after_today_that_no_one_keeps(
    owner_client: Client, opportunity: Opportunity
) -> None:
    response = owner_client.get(reverse("export_download"))

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="funnel-export-')
    assert response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    records = json.loads(archive.read(JSON_NAME))["records"]
    assert [row["title"] for row in records["opportunities"]] == ["Operations review"]


@pytest.mark.django_db
def test_an_outsider_downloads_their_own_team_only(
    outsider_client: Client, opportunity: Opportunity, outsider_person: Person
) -> None:
    records = json.loads(download(outsider_client).read(JSON_NAME))["records"]
    assert [row["name"] for row in records["people"]] == ["Mallory Spy"]
    assert records["opportunities"] == []


@pytest.mark.parametrize("name", ["export", "export_download"])
@pytest.mark.django_db
def test_someone_not_logged_in_is_sent_to_log_in(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_download_is_only_read(owner_client: Client) -> None:
    assert owner_client.post(reverse("export_download")).status_code == 405


def add_records(owner: User, numbers: range) -> None:
    team = owner.profile.team
    for n in numbers:
        organisation = Organisation.objects.create(team=team, name=f"Org {n}")
        person = Person.objects.create(team=team, name=f"Person {n}", organisation=organisation)
        EmailAddress.objects.create(person=person, address=f"p{n}@example.com")
        PhoneNumber.objects.create(person=person, number=f"+39 02 {n:04}")
        opportunity = Opportunity.objects.create(
            team=team, owner=owner, title=f"Deal {n}", organisation=organisation, currency="EUR"
        )
        Activity.objects.create(team=team, opportunity=opportunity, person=person, by=owner)


def queries_for_a_download(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        download(client)
    return len(queries)


@pytest.mark.django_db
def test_the_download_takes_as_many_queries_for_many_records_as_for_a_few(
    owner: User, owner_client: Client
) -> None:
    add_records(owner, range(3))
    few = queries_for_a_download(owner_client)
    add_records(owner, range(3, 60))

    archive = download(owner_client)
    assert queries_for_a_download(owner_client) == few
    assert b"Person 59" in archive.read("people.vcf")


@pytest.mark.django_db
def test_opening_the_page_and_downloading_write_nothing(
    owner_client: Client, opportunity: Opportunity
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get(reverse("export")).status_code == 200
        download(owner_client)
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == []
