"""Recognising the tool that wrote a file from its headers, and mapping its columns."""

import pytest

from funnel.transfer.records import IGNORE, KEEP, TARGETS
from funnel.transfer.stages import suggested_level, suggested_stage_levels
from funnel.transfer.tools import headers_key, recognise
from tests.test_import_rows import read_fixture

# For each export, the columns Funnel has a field for; every other column is kept (or, for
# Outlook's technical ones, ignored).
EXPECTED = {
    "google_contacts.csv": (
        "Google Contacts",
        {
            "First Name": "person.first_name",
            "Middle Name": "person.middle_name",
            "Last Name": "person.last_name",
            "Organization Name": "organisation.name",
            "Organization Title": "person.job_title",
            "Notes": "person.notes",
            "Photo": IGNORE,
            "E-mail 1 - Label": "person.email.kind",
            "E-mail 1 - Value": "person.email.work",
            "E-mail 2 - Label": "person.email.kind",
            "E-mail 2 - Value": "person.email.work",
            "Phone 1 - Label": "person.phone.kind",
            "Phone 1 - Value": "person.phone.mobile",
            "Phone 2 - Label": "person.phone.kind",
            "Phone 2 - Value": "person.phone.mobile",
        },
    ),
    "google_legacy.csv": (
        "Google Contacts",
        {
            "Name": "person.name",
            "Given Name": "person.first_name",
            "Additional Name": "person.middle_name",
            "Family Name": "person.last_name",
            "Occupation": "person.job_title",
            "Notes": "person.notes",
            "Language": "person.language",
            "Photo": IGNORE,
            "E-mail 1 - Type": "person.email.kind",
            "E-mail 1 - Value": "person.email.work",
            "E-mail 2 - Type": "person.email.kind",
            "E-mail 2 - Value": "person.email.work",
            "Phone 1 - Type": "person.phone.kind",
            "Phone 1 - Value": "person.phone.mobile",
            "Phone 2 - Type": "person.phone.kind",
            "Phone 2 - Value": "person.phone.mobile",
            "Organization 1 - Name": "organisation.name",
            "Organization 1 - Title": "person.job_title",
        },
    ),
    "outlook_contacts.csv": (
        "Outlook",
        {
            "First Name": "person.first_name",
            "Middle Name": "person.middle_name",
            "Last Name": "person.last_name",
            "Language": "person.language",
            "Notes": "person.notes",
            "E-mail Address": "person.email.work",
            "E-mail 2 Address": "person.email.other",
            "E-mail 3 Address": "person.email.other",
            "Primary Phone": "person.phone.other",
            "Home Phone": "person.phone.home",
            "Home Phone 2": "person.phone.home",
            "Mobile Phone": "person.phone.mobile",
            "Company Main Phone": "person.phone.work",
            "Business Phone": "person.phone.work",
            "Business Phone 2": "person.phone.work",
            "Other Phone": "person.phone.other",
            "Car Phone": "person.phone.other",
            "Company": "organisation.name",
            "Job Title": "person.job_title",
            "Business City": "organisation.city",
            "Business Country": "organisation.country",
            "Gender": IGNORE,
            "Sensitivity": IGNORE,
            "Priority": IGNORE,
            "Private": IGNORE,
        },
    ),
    "outlook_german.csv": (
        "Outlook",
        {
            "Vorname": "person.first_name",
            "Weitere Vornamen": "person.middle_name",
            "Nachname": "person.last_name",
            "Firma": "organisation.name",
            "Position": "person.job_title",
            "Beruf": "person.job_title",
            "Ort geschäftlich": "organisation.city",
            "Land/Region geschäftlich": "organisation.country",
            "Telefon geschäftlich": "person.phone.work",
            "Telefon geschäftlich 2": "person.phone.work",
            "Telefon Firma": "person.phone.work",
            "Telefon privat": "person.phone.home",
            "Telefon privat 2": "person.phone.home",
            "Mobiltelefon": "person.phone.mobile",
            "Mobiltelefon 2": "person.phone.mobile",
            "Autotelefon": "person.phone.other",
            "Weiteres Telefon": "person.phone.other",
            "Haupttelefon": "person.phone.other",
            "E-Mail-Adresse": "person.email.work",
            "E-Mail 2: Adresse": "person.email.other",
            "E-Mail 3: Adresse": "person.email.other",
            "Notizen": "person.notes",
            "Sprache": "person.language",
            "E-Mail-Typ": IGNORE,
            "E-Mail: Angezeigter Name": IGNORE,
            "E-Mail 2: Typ": IGNORE,
            "E-Mail 2: Angezeigter Name": IGNORE,
            "E-Mail 3: Typ": IGNORE,
            "E-Mail 3: Angezeigter Name": IGNORE,
            "Geschlecht": IGNORE,
            "Priorität": IGNORE,
            "Privat": IGNORE,
            "Vertraulichkeit": IGNORE,
        },
    ),
    "linkedin_connections.csv": (
        "LinkedIn",
        {
            "First Name": "person.first_name",
            "Last Name": "person.last_name",
            "Email Address": "person.email.work",
            "Company": "organisation.name",
            "Position": "person.job_title",
        },
    ),
    "hubspot_contacts.csv": (
        "HubSpot",
        {
            "First Name": "person.first_name",
            "Last Name": "person.last_name",
            "Email": "person.email.work",
            "Phone Number": "person.phone.work",
            "Mobile Phone Number": "person.phone.mobile",
            "Company Name": "organisation.name",
            "Job Title": "person.job_title",
            "City": "organisation.city",
            "Country/Region": "organisation.country",
        },
    ),
    "hubspot_companies.csv": (
        "HubSpot",
        {
            "Company name": "organisation.name",
            "Company Domain Name": "organisation.website",
            "Industry": "organisation.sector",
            "Number of Employees": "organisation.size",
            "City": "organisation.city",
            "Country/Region": "organisation.country",
        },
    ),
    "hubspot_deals.csv": (
        "HubSpot",
        {
            "Deal Name": "deal.title",
            "Deal Stage": "deal.stage",
            "Amount": "deal.value",
            "Close Date": "deal.close_on",
            "Deal owner": "deal.owner_email",
            "Create Date": "deal.created_on",
            "Associated Company": "organisation.name",
            "Associated Contact": "person.name",
            "Currency": "deal.currency",
            "Closed Lost Reason": "deal.reason",
            "Next step": "deal.next_step",
            "Deal Description": "deal.notes",
        },
    ),
    "salesforce_opportunities_report.csv": (
        "Salesforce",
        {
            "Opportunity Owner": "deal.owner_email",
            "Account Name": "organisation.name",
            "Opportunity Name": "deal.title",
            "Stage": "deal.stage",
            "Amount": "deal.value",
            "Close Date": "deal.close_on",
            "Created Date": "deal.created_on",
            "Next Step": "deal.next_step",
            "Lead Source": "deal.source",
        },
    ),
    "salesforce_contacts_report.csv": (
        "Salesforce",
        {
            "First Name": "person.first_name",
            "Last Name": "person.last_name",
            "Title": "person.job_title",
            "Account Name": "organisation.name",
            "Email": "person.email.work",
            "Phone": "person.phone.work",
            "Mobile": "person.phone.mobile",
            "Mailing City": "organisation.city",
            "Mailing Country": "organisation.country",
        },
    ),
    "salesforce_dataloader_opportunities.csv": (
        "Salesforce",
        {
            "Name": "deal.title",
            "Account.Name": "organisation.name",
            "StageName": "deal.stage",
            "Amount": "deal.value",
            "CurrencyIsoCode": "deal.currency",
            "CloseDate": "deal.close_on",
            "Owner.Email": "deal.owner_email",
            "CreatedDate": "deal.created_on",
            "LeadSource": "deal.source",
            "NextStep": "deal.next_step",
        },
    ),
    "salesforce_dataloader_contacts.csv": (
        "Salesforce",
        {
            "FirstName": "person.first_name",
            "LastName": "person.last_name",
            "Email": "person.email.work",
            "Phone": "person.phone.work",
            "MobilePhone": "person.phone.mobile",
            "Title": "person.job_title",
            "Account.Name": "organisation.name",
            "MailingCity": "organisation.city",
            "MailingCountry": "organisation.country",
        },
    ),
    "pipedrive_people.csv": (
        "Pipedrive",
        {
            "Person - Name": "person.name",
            "Person - Organization": "organisation.name",
            "Person - Email - Work": "person.email.work",
            "Person - Email - Home": "person.email.personal",
            "Person - Email - Other": "person.email.other",
            "Person - Phone - Work": "person.phone.work",
            "Person - Phone - Home": "person.phone.home",
            "Person - Phone - Mobile": "person.phone.mobile",
            "Person - Phone - Other": "person.phone.other",
        },
    ),
    "pipedrive_organizations.csv": ("Pipedrive", {"Organization - Name": "organisation.name"}),
    "pipedrive_deals.csv": (
        "Pipedrive",
        {
            "Deal - Title": "deal.title",
            "Deal - Owner": "deal.owner_email",
            "Deal - Value": "deal.value",
            "Deal - Currency": "deal.currency",
            "Deal - Organization": "organisation.name",
            "Deal - Contact person": "person.name",
            "Deal - Stage": "deal.stage",
            "Deal - Status": "deal.status",
            "Deal - Deal created": "deal.created_on",
            "Deal - Last stage change": "deal.stage_changed_on",
            "Deal - Expected close date": "deal.close_on",
            "Deal - Won time": "deal.stage_changed_on",
            "Deal - Lost time": "deal.stage_changed_on",
            "Deal - Lost reason": "deal.reason",
        },
    ),
    "pipedrive_deals_short.csv": (
        "Pipedrive",
        {
            "Title": "deal.title",
            "Owner": "deal.owner_email",
            "Value": "deal.value",
            "Currency": "deal.currency",
            "Organization": "organisation.name",
            "Contact person": "person.name",
            "Stage": "deal.stage",
            "Status": "deal.status",
            "Deal created": "deal.created_on",
            "Last stage change": "deal.stage_changed_on",
            "Expected close date": "deal.close_on",
            "Won time": "deal.stage_changed_on",
            "Lost time": "deal.stage_changed_on",
            "Lost reason": "deal.reason",
        },
    ),
    "zoho_contacts.csv": (
        "Zoho CRM",
        {
            "First Name": "person.first_name",
            "Last Name": "person.last_name",
            "Email": "person.email.work",
            "Phone": "person.phone.work",
            "Mobile": "person.phone.mobile",
            "Account Name": "organisation.name",
            "Title": "person.job_title",
            "Mailing City": "organisation.city",
            "Mailing Country": "organisation.country",
        },
    ),
    "zoho_accounts.csv": (
        "Zoho CRM",
        {
            "Account Name": "organisation.name",
            "Website": "organisation.website",
            "Industry": "organisation.sector",
            "Employees": "organisation.size",
            "Billing City": "organisation.city",
            "Billing Country": "organisation.country",
        },
    ),
    "zoho_deals.csv": (
        "Zoho CRM",
        {
            "Deal Name": "deal.title",
            "Account Name": "organisation.name",
            "Contact Name": "person.name",
            "Amount": "deal.value",
            "Stage": "deal.stage",
            "Closing Date": "deal.close_on",
            "Deal Owner": "deal.owner_email",
            "Created Time": "deal.created_on",
            "Currency": "deal.currency",
            "Reason For Loss": "deal.reason",
        },
    ),
    "sheet_english.csv": (
        "a spreadsheet",
        {
            "Name": "person.name",
            "Company": "organisation.name",
            "Email": "person.email.work",
            "Phone": "person.phone.work",
            "Notes": "person.notes",
        },
    ),
    "sheet_italian.csv": (
        "a spreadsheet",
        {
            "Nome": "person.name",
            "Azienda": "organisation.name",
            "E-mail": "person.email.work",
            "Telefono": "person.phone.work",
        },
    ),
    "sheet_dutch.csv": (
        "a spreadsheet",
        {
            "Naam": "person.name",
            "Bedrijf": "organisation.name",
            "E-mail": "person.email.work",
            "Telefoon": "person.phone.work",
        },
    ),
    "sheet_spanish.csv": (
        "a spreadsheet",
        {
            "Nombre": "person.name",
            "Empresa": "organisation.name",
            "Correo": "person.email.work",
            "Teléfono": "person.phone.work",
        },
    ),
    "sheet_swedish.csv": (
        "a spreadsheet",
        {
            "Namn": "person.name",
            "Företag": "organisation.name",
            "E-post": "person.email.work",
            "Telefon": "person.phone.work",
        },
    ),
}


@pytest.mark.parametrize("fixture", EXPECTED)
def test_each_tools_export_is_recognised_and_mapped_without_help(fixture: str) -> None:
    tool, mapped = EXPECTED[fixture]
    headers, _rows = read_fixture(fixture)

    recognition = recognise(headers)

    assert recognition.tool == tool
    assert set(recognition.columns) == set(headers)
    assert set(recognition.columns.values()) <= set(TARGETS)
    assert {h: t for h, t in recognition.columns.items() if t != KEEP} == mapped


def test_only_german_outlook_is_known_to_write_the_day_first() -> None:
    german, _rows = read_fixture("outlook_german.csv")
    english, _rows = read_fixture("outlook_contacts.csv")

    assert recognise(german).day_first is True
    assert recognise(english).day_first is None


def test_spreadsheet_headers_are_matched_whatever_their_case_spacing_and_accents() -> None:
    columns = recognise(["  EMAIL ADDRESS ", "e_mail", "TELEFONO", "Societa", "Företag"]).columns

    assert columns == {
        "  EMAIL ADDRESS ": "person.email.work",
        "e_mail": "person.email.work",
        "TELEFONO": "person.phone.work",
        "Societa": "organisation.name",
        "Företag": "organisation.name",
    }


def test_a_name_next_to_a_surname_is_the_first_name() -> None:
    assert recognise(["Nome", "Cognome", "Email"]).columns == {
        "Nome": "person.first_name",
        "Cognome": "person.last_name",
        "Email": "person.email.work",
    }
    assert recognise(["Nome", "Email"]).columns["Nome"] == "person.name"


def test_a_title_is_a_job_title_in_a_contact_list_and_a_deals_name_in_a_deal_list() -> None:
    assert recognise(["Name", "Title", "Company"]).columns["Title"] == "person.job_title"
    deals = recognise(["Title", "Amount", "Stage", "Company", "Notes"]).columns
    assert deals["Title"] == "deal.title"
    assert deals["Notes"] == "deal.notes"


def test_columns_with_nothing_to_attach_to_are_kept_in_the_notes() -> None:
    # A city without an organisation, a lead source without a deal, a phone without a person.
    people = recognise(["Name", "City", "Lead Source"]).columns
    organisations = recognise(["Company", "Phone", "Notes"]).columns

    assert people == {"Name": "person.name", "City": KEEP, "Lead Source": KEEP}
    assert organisations == {
        "Company": "organisation.name",
        "Phone": KEEP,
        "Notes": "organisation.notes",
    }


def test_owner_columns_point_to_a_deals_owner_only_in_a_file_of_deals() -> None:
    assert recognise(["Name", "Email", "Owner"]).columns["Owner"] == KEEP
    assert recognise(["Deal", "Value", "Owner"]).columns["Owner"] == "deal.owner_email"


def test_unknown_or_hostile_headers_make_a_spreadsheet_with_everything_kept() -> None:
    headers = ["", "", "\x00", "x" * 100_000, "Favourite colour", "Email"]

    recognition = recognise(headers)

    assert recognition.tool == "a spreadsheet"
    assert recognition.columns == {
        "": KEEP,
        "\x00": KEEP,
        "x" * 100_000: KEEP,
        "Favourite colour": KEEP,
        "Email": "person.email.work",
    }


def test_headers_key_is_the_same_for_the_same_columns_in_any_order_and_spacing() -> None:
    key = headers_key(["First Name", "Email"])

    assert len(key) == 64 and int(key, 16) >= 0
    assert headers_key(["email ", "\ufeffFirst  name"]) == key
    assert headers_key(["First Name", "Email", "Phone"]) != key
    assert headers_key(["First Name Email"]) != key


# -- stages -------------------------------------------------------------------------------------


def test_hubspots_default_pipeline_spreads_over_the_funnel() -> None:
    stages = [
        "Appointment scheduled",
        "Qualified to buy",
        "Presentation scheduled",
        "Decision maker bought-in",
        "Contract sent",
        "Closed won",
        "Closed lost",
    ]

    assert suggested_stage_levels(stages) == {
        "Appointment scheduled": "above",
        "Qualified to buy": "in",
        "Presentation scheduled": "in",
        "Decision maker bought-in": "best_few",
        "Contract sent": "best_few",
        "Closed won": "won",
        "Closed lost": "lost",
    }


def test_salesforces_and_zohos_default_stages() -> None:
    stages = [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
        "Closed-Lost to Competition",
    ]

    levels = suggested_stage_levels(stages)

    assert [levels[stage] for stage in stages] == [
        "above",
        "above",
        "above",
        "in",
        "in",
        "in",
        "best_few",
        "best_few",
        "won",
        "lost",
        "lost",
    ]


def test_pipedrives_won_and_lost_statuses_and_default_stages() -> None:
    stages = ["Qualified", "Contact Made", "Demo Scheduled", "Proposal Made", "won", "lost"]

    assert suggested_stage_levels(stages) == {
        "Qualified": "above",
        "Contact Made": "above",
        "Demo Scheduled": "in",
        "Proposal Made": "best_few",
        "won": "won",
        "lost": "lost",
    }


@pytest.mark.parametrize(
    ("stage", "level"),
    [
        ("Chiusa vinta", "won"),
        ("Gewonnen", "won"),
        ("Cerrada ganada", "won"),
        ("Vunnen", "won"),
        ("Persa", "lost"),
        ("Verloren", "lost"),
        ("Perdida", "lost"),
        ("Förlorad", "lost"),
        ("Negotiation", None),
        ("", None),
    ],
)
def test_closed_stages_are_told_in_funnels_languages(stage: str, level: str | None) -> None:
    assert suggested_level(stage) == level


def test_stages_of_unknown_names_spread_by_their_order_or_their_probability() -> None:
    assert suggested_stage_levels(["Stage A", "Stage B", "Stage C"]) == {
        "Stage A": "above",
        "Stage B": "in",
        "Stage C": "best_few",
    }
    assert suggested_stage_levels(["Phase (90%)", "Phase (10%)"]) == {
        "Phase (90%)": "best_few",
        "Phase (10%)": "above",
    }
    # Words sales teams use, in Funnel's languages.
    assert suggested_stage_levels(["Offerta inviata", "Primo contatto", "Demo"]) == {
        "Offerta inviata": "best_few",
        "Primo contatto": "above",
        "Demo": "in",
    }


def test_deals_without_a_stage_are_in_the_funnel_and_duplicates_count_once() -> None:
    assert suggested_stage_levels(["", "Closed won", "Closed won"]) == {
        "": "in",
        "Closed won": "won",
    }
