"""Which tool wrote a file, told from its headers, and what each column holds.

Every tool writes the same headers every time (Google's "E-mail 1 - Value", Pipedrive's
"Deal - Title"), so a few exact headers name the tool; the columns are then mapped through
a table of the names tools and people give them, in Funnel's five languages and German (for
Outlook). What Funnel has no field for is kept in the notes (KEEP).

Some names mean different things in different files: "Title" is a job title in a contact list
and a deal's name in a Pipedrive export; "Notes" belong to the deal in a file of deals. Those
map to a placeholder first (`@title`), resolved once the whole file's columns are known.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from funnel.transfer.records import IGNORE, KEEP


@dataclass(frozen=True)
class Recognition:
    tool: str  # "Google Contacts", "Outlook", ... or "a spreadsheet"
    columns: dict[str, str]  # header -> target from records.TARGETS
    day_first: bool | None  # how the tool writes ambiguous dates (None: decide from the data)


@dataclass(frozen=True)
class Tool:
    name: str
    markers: frozenset[str]  # exact headers only this tool writes
    columns: dict[str, str] = field(default_factory=dict)  # squashed header -> target
    day_first: bool | None = None
    # Pipedrive's "Deal - ", "Person - ", "Organization - ": each such header is a marker.
    prefixes: tuple[str, ...] = ()


def squash(header: str) -> str:
    """'E-mail 1 - Value' → 'email1value', 'Straße geschäftlich' → 'strassegeschaftlich': how
    headers are compared, so spacing, case, accents and punctuation don't matter."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def headers_key(headers: list[str]) -> str:
    """The same for two files with the same columns, in any order, spaced or cased alike."""
    normalised = sorted(" ".join(h.replace("\ufeff", "").split()).casefold() for h in headers)
    return hashlib.sha256("\n".join(normalised).encode()).hexdigest()


def recognise(headers: list[str]) -> Recognition:
    tool = _which_tool(headers)
    squashed = {squash(h) for h in headers}
    columns = {header: _target(header, tool, squashed) for header in headers}
    return Recognition(
        tool=tool.name if tool else _("a spreadsheet"),
        columns=_resolve(columns),
        day_first=tool.day_first if tool else None,
    )


def _which_tool(headers: list[str]) -> Tool | None:
    """The tool with the most of its own headers in the file, if it has two or more (a tie
    goes to the tool listed first)."""
    present = {h.strip() for h in headers}
    best, best_score = None, 1
    for tool in TOOLS:
        score = len(tool.markers & present) + sum(1 for h in present if h.startswith(tool.prefixes))
        if score > best_score:
            best, best_score = tool, score
    return best


_NUMBERED = [
    # Google: "E-mail 1 - Value" with "E-mail 1 - Label" (now) or "- Type" (legacy CSV).
    (re.compile(r"email\d+value"), "person.email.work"),
    (re.compile(r"email\d+(?:label|type)"), "person.email.kind"),
    (re.compile(r"phone\d+value"), "person.phone.mobile"),
    (re.compile(r"phone\d+(?:label|type)"), "person.phone.kind"),
    (re.compile(r"organization\d+name"), "organisation.name"),
    (re.compile(r"organization\d+title"), "person.job_title"),
    # Outlook: "E-mail 2 Address", German "E-Mail 2: Adresse".
    (re.compile(r"email[23](?:address|adresse)"), "person.email.other"),
]


def _target(header: str, tool: Tool | None, squashed: set[str]) -> str:
    key = squash(header)
    if tool and tool.prefixes:
        key = _unprefixed(header, tool.prefixes) or key
    if tool and key in tool.columns:
        target = tool.columns[key]
        return _salesforce_name(squashed) if target == "@record_name" else target
    key = key.partition(":")[2] or key  # a Pipedrive column the table doesn't name
    if key in COLUMNS:
        return COLUMNS[key]
    for pattern, target in _NUMBERED:
        if pattern.fullmatch(key):
            return target
    return KEEP


def _unprefixed(header: str, prefixes: tuple[str, ...]) -> str:
    """'Person - Email - Work' → 'person:emailwork', so each part of the file maps alike."""
    for prefix in prefixes:
        if header.strip().startswith(prefix):
            return f"{squash(prefix)}:{squash(header.strip()[len(prefix) :])}"
    return ""


def _salesforce_name(squashed: set[str]) -> str:
    """Data Loader's "Name" is the record's: an opportunity's, a contact's or an account's."""
    if "stagename" in squashed:
        return "deal.title"
    if squashed & {"firstname", "lastname"}:
        return "person.name"
    return "organisation.name"


# The columns that say a file holds people, organisations or deals: without one, the other
# columns of that kind have nothing to attach to and are kept in the notes.
_PERSON_ANCHORS = {
    "person.name",
    "person.first_name",
    "person.last_name",
    "person.email.work",
    "person.email.personal",
    "person.email.other",
}
_ORGANISATION_ANCHORS = {"organisation.name", "organisation.website"}
_DEAL_ANCHORS = {"deal.title", "deal.value", "deal.stage", "deal.status"}


def _resolve(columns: dict[str, str]) -> dict[str, str]:
    """Placeholders to targets, now that every column of the file is known."""
    targets = set(columns.values())
    deals = bool(targets & {"deal.title", "deal.value", "deal.stage"})
    people = bool(targets & _PERSON_ANCHORS) or "@name" in targets
    organisations = bool(targets & _ORGANISATION_ANCHORS)
    first_name_too = "person.last_name" in targets and "person.first_name" not in targets
    chosen = {
        "@name": "person.first_name" if first_name_too else "person.name",
        "@title": "deal.title" if deals and "deal.title" not in targets else "person.job_title",
        "@status": "deal.status" if deals else KEEP,
        "@owner": "deal.owner_email" if deals else KEEP,
        "@created": "deal.created_on" if deals else KEEP,
        "@notes": (
            "deal.notes"
            if deals
            else "person.notes"
            if people
            else "organisation.notes"
            if organisations
            else KEEP
        ),
    }
    resolved = {header: chosen.get(target, target) for header, target in columns.items()}
    anchors = set(resolved.values())
    orphans = [
        ("person.", anchors & _PERSON_ANCHORS),
        ("organisation.", anchors & _ORGANISATION_ANCHORS),
        ("deal.", anchors & _DEAL_ANCHORS),
    ]
    for header, target in resolved.items():
        for prefix, present in orphans:
            if target.startswith(prefix) and not present:
                resolved[header] = KEEP
    return resolved


def by_name(table: dict[str, str]) -> dict[str, str]:
    """{target: 'squashed names, space-separated'} → {name: target}."""
    return {name: target for target, names in table.items() for name in names.split()}


# What tools and people call each field, squashed (see `squash`), in English, Italian, Dutch,
# Spanish, Swedish, German and a little French.
COLUMNS = by_name(
    {
        "@name": "name nome naam nombre namn nom",
        "person.name": (
            "fullname contactname contact contactperson contactpersonname person personname "
            "nomecompleto nomeecognome contatto referente volledigenaam contactpersoon "
            "nombrecompleto personadecontacto contacto fullstandigtnamn kontakt kontaktperson "
            "displayname associatedcontact primarycontact"
        ),
        "person.first_name": "firstname givenname forename first vorname voornaam fornamn prenom",
        "person.middle_name": (
            "middlename additionalname secondname secondonome tussenvoegsel segundonombre "
            "mellannamn weiterevornamen"
        ),
        "person.last_name": (
            "lastname surname familyname last cognome achternaam apellido apellidos efternamn "
            "nachname nomdefamille"
        ),
        "@title": "title titolo titel titulo",
        "person.job_title": (
            "jobtitle organizationtitle position role job jobrole function occupation ruolo "
            "posizione qualifica mansione carica functie functietitel rol cargo puesto "
            "befattning roll jobbtitel yrkestitel beruf poste"
        ),
        "person.email.work": (
            "email emailaddress mail emailadres correo correoelectronico workemail "
            "businessemail emailwork email1 postaelettronica indirizzoemail epost epostadress "
            "emailadresse emailaziendale zakelijkemail correodetrabajo arbetsepost courriel"
        ),
        "person.email.personal": (
            "personalemail privateemail homeemail emailhome emailpersonal emailprivata "
            "emailpersonale priveemail correopersonal privatepost privatemail"
        ),
        "person.email.other": (
            "otheremail emailother email2 secondaryemail alternativeemail additionalemail"
        ),
        "person.phone.work": (
            "phone phonenumber telephone tel telefono telefoon telefon telefonnummer "
            "telefoonnummer numeroditelefono numerotelefono workphone businessphone "
            "officephone phonework directphone telefonoufficio telefonoaziendale "
            "telefoonwerk telefonotrabajo arbetstelefon telephonebureau"
        ),
        "person.phone.mobile": (
            "mobile mobilephone mobilephonenumber mobilenumber cell cellphone cellular "
            "phonemobile cellulare mobiel mobielnummer gsm movil telefonomovil celular mobil "
            "mobiltelefon mobilnummer handy portable"
        ),
        "person.phone.home": (
            "homephone phonehome privatephone telefonocasa telefoonthuis thuistelefoon "
            "telefonocasa hemtelefon telefonprivat"
        ),
        "person.phone.other": "otherphone phoneother phone2 alternativephone",
        "person.language": "language preferredlanguage lingua taal idioma sprak sprache langue",
        "@notes": (
            "notes note comments comment remarks description memo notities notitie "
            "opmerkingen opmerking notas nota comentarios observaciones anteckningar "
            "anteckning kommentar kommentarer notizen dealdescription"
        ),
        "organisation.name": (
            "company companyname organisation organization organisationname "
            "organizationname account accountname business employer firm azienda societa "
            "ditta impresa nomeazienda bedrijf bedrijfsnaam organisatie empresa compania "
            "organizacion foretag bolag foretagsnamn firma unternehmen entreprise "
            "associatedcompany associatedcompanyprimary"
        ),
        "organisation.website": (
            "website web webpage homepage websiteurl site sitoweb sitointernet webpagina "
            "websiteadres sitioweb paginaweb webbplats hemsida webbadress webseite siteweb "
            "companydomainname domain domainname"
        ),
        "organisation.sector": "industry sector settore industria branche bransch industri",
        "organisation.size": (
            "employees numberofemployees noofemployees headcount companysize size staff "
            "dipendenti numerodipendenti medewerkers aantalmedewerkers werknemers empleados "
            "numerodeempleados anstallda antalanstallda mitarbeiter"
        ),
        "organisation.city": (
            "city town citta plaats stad woonplaats ciudad localidad ort ville "
            "businesscity billingcity mailingcity"
        ),
        "organisation.country": (
            "country countryregion nation paese nazione land pais landregion pays "
            "businesscountry businesscountryregion billingcountry mailingcountry"
        ),
        "deal.title": (
            "deal dealname dealtitle opportunity opportunityname trattativa opportunita "
            "affare kans verkoopkans dealnaam oportunidad negocio affar affarsmojlighet"
        ),
        "deal.value": (
            "amount value dealvalue dealamount importo valore bedrag waarde importe valor "
            "belopp varde ordervalue"
        ),
        "deal.currency": (
            "currency currencyisocode dealcurrency amountcurrency opportunitycurrency valuta "
            "moneda divisa"
        ),
        "deal.stage": (
            "stage dealstage pipelinestage salesstage stagename fase stadio fasevendita etapa "
            "steg fas verkoopfase"
        ),
        "@status": "status dealstatus stato estado",
        "deal.close_on": (
            "closedate closingdate expectedclosedate expectedclose datachiusura "
            "datadichiusura sluitingsdatum verwachtesluitingsdatum fechadecierre "
            "fechadecierreprevista stangningsdatum slutdatum avslutsdatum"
        ),
        "@owner": "owner proprietario eigenaar propietario agare",
        "deal.owner_email": "owneremail dealowneremail dealowner opportunityowner",
        "@created": (
            "created createdate createddate createdon datecreated creationdate createdtime "
            "dealcreated addtime datacreazione aanmaakdatum fechadecreacion skapad skapaddatum"
        ),
        "deal.stage_changed_on": (
            "laststagechange laststagechangedate stagechangedate wontime losttime dealclosedon"
        ),
        "deal.reason": (
            "lostreason reasonforloss closedlostreason lossreason reasonlost motivoperdita "
            "motivodiperdita redenverlies redenvanverlies motivodeperdida forlustorsak"
        ),
        "deal.source": "source leadsource origin fonte origine bron herkomst fuente origen kalla",
        "deal.next_step": (
            "nextstep prossimopasso volgendestap proximopaso siguientepaso nastasteg"
        ),
    }
)

TOOLS = [
    Tool(
        name="Google Contacts",
        markers=frozenset(
            {
                "E-mail 1 - Label",
                "E-mail 1 - Value",
                "Phone 1 - Label",
                "Phone 1 - Value",
                "Organization Name",
                "Organization Title",
                "Organization Department",
                "Labels",
                "File As",
                "Phonetic First Name",
                "Name Prefix",
                "Given Name",
                "Additional Name",
                "Family Name",
                "Group Membership",
                "E-mail 1 - Type",
                "Phone 1 - Type",
                "Organization 1 - Name",
                "Organization 1 - Title",
                "Website 1 - Value",
            }
        ),
        columns=by_name(
            {
                # Google's "Name" is the whole name, next to its parts (legacy CSV).
                "person.name": "name",
                "person.notes": "notes",
                IGNORE: "photo",
                KEEP: "organizationdepartment",
            }
        ),
    ),
    Tool(
        name="Outlook",
        markers=frozenset(
            {
                "E-mail Address",
                "E-mail Type",
                "E-mail Display Name",
                "E-mail 2 Address",
                "Business Phone",
                "Home Phone",
                "Mobile Phone",
                "Company Main Phone",
                "Primary Phone",
                "Business Street",
                "Business City",
                "Business Country/Region",
                "Web Page",
                "Categories",
            }
        ),
        columns=by_name(
            {
                # Outlook's "Title" is Mr or Dr; its "Web Page" is the person's.
                KEEP: "title suffix department account webpage location",
                # Technical or always the same ("SMTP", "Normal", "False").
                IGNORE: (
                    "emailtype email2type email3type emaildisplayname email2displayname "
                    "email3displayname sensitivity priority private gender"
                ),
                "person.email.work": "emailaddress",
                "person.phone.work": "businessphone businessphone2 companymainphone",
                "person.phone.home": "homephone homephone2",
                "person.phone.other": "otherphone primaryphone carphone",
                "person.notes": "notes",
            }
        ),
    ),
    Tool(
        name="Outlook",
        markers=frozenset(
            {
                "Anrede",
                "Vorname",
                "Weitere Vornamen",
                "Nachname",
                "Firma",
                "Abteilung",
                "E-Mail-Adresse",
                "E-Mail-Typ",
                "E-Mail: Angezeigter Name",
                "E-Mail 2: Adresse",
                "Telefon geschäftlich",
                "Telefon privat",
                "Telefon Firma",
                "Mobiltelefon",
                "Straße geschäftlich",
                "Ort geschäftlich",
                "Land/Region geschäftlich",
                "Notizen",
                "Webseite",
                "Kategorien",
            }
        ),
        day_first=True,
        columns=by_name(
            {
                KEEP: "anrede suffix abteilung webseite ort konto",
                IGNORE: (
                    "emailtyp email2typ email3typ emailangezeigtername email2angezeigtername "
                    "email3angezeigtername vertraulichkeit prioritat privat geschlecht"
                ),
                "person.email.work": "emailadresse",
                "person.phone.work": "telefongeschaftlich telefongeschaftlich2 telefonfirma",
                "person.phone.home": "telefonprivat telefonprivat2",
                "person.phone.mobile": "mobiltelefon mobiltelefon2",
                "person.phone.other": "weiterestelefon haupttelefon autotelefon",
                "organisation.city": "ortgeschaftlich",
                "organisation.country": "landregiongeschaftlich",
                "person.notes": "notizen",
            }
        ),
    ),
    Tool(
        name="LinkedIn",
        markers=frozenset({"Connected On", "URL", "Email Address", "Position"}),
        # "URL" is the person's LinkedIn profile, not the company's website.
        columns=by_name({KEEP: "url connectedon"}),
    ),
    Tool(
        name="HubSpot",
        markers=frozenset(
            {
                "Record ID",
                "Create Date",
                "Lifecycle Stage",
                "Lead Status",
                "Contact owner",
                "Company owner",
                "Deal owner",
                "Phone Number",
                "Mobile Phone Number",
                "Company Domain Name",
                "Number of Employees",
                "Country/Region",
                "Deal Stage",
                "Pipeline",
                "Associated Company",
                "Associated Contact",
                "Company name",
                "Last Activity Date",
            }
        ),
    ),
    Tool(
        name="Salesforce",
        markers=frozenset(
            {
                # Report exports
                "Opportunity Name",
                "Opportunity Owner",
                "Opportunity ID",
                "Account ID",
                "Contact ID",
                "Created Date",
                "Close Date",
                "Account Name",
                "Probability (%)",
                "Lead Source",
                "Next Step",
                "Fiscal Period",
                "Mailing City",
                "Mailing Country",
                # Data Loader: API names
                "Id",
                "StageName",
                "CloseDate",
                "AccountId",
                "Account.Name",
                "OwnerId",
                "Owner.Email",
                "CreatedDate",
                "CurrencyIsoCode",
                "LeadSource",
                "NextStep",
                "FirstName",
                "LastName",
                "MobilePhone",
                "MailingCity",
                "MailingCountry",
                "BillingCity",
                "BillingCountry",
                "NumberOfEmployees",
                "IsDeleted",
                "LastStageChangeDate",
            }
        ),
        columns=by_name(
            {
                "@record_name": "name",
                "deal.owner_email": "owneremail",
                KEEP: "ownerid accountid",
            }
        ),
    ),
    Tool(
        name="Pipedrive",
        markers=frozenset(
            {
                "Contact person",
                "Expected close date",
                "Deal created",
                "Won time",
                "Lost time",
                "Lost reason",
                "Weighted value",
                "Last stage change",
                "Next activity date",
                "Update time",
            }
        ),
        prefixes=("Deal - ", "Person - ", "Organization - "),
        columns=by_name(
            {
                "deal.title": "deal:title",
                "deal.value": "deal:value",
                "deal.currency": "deal:currency",
                "organisation.name": "deal:organization person:organization organization:name",
                "person.name": "deal:contactperson person:name",
                "deal.stage": "deal:stage",
                "deal.status": "deal:status",
                "deal.close_on": "deal:expectedclosedate",
                "deal.owner_email": "deal:owner",
                "deal.created_on": "deal:dealcreated",
                "deal.stage_changed_on": (
                    "deal:wontime deal:losttime deal:laststagechange deal:dealclosedon"
                ),
                "deal.reason": "deal:lostreason",
                "person.email.work": "person:emailwork person:email",
                "person.email.personal": "person:emailhome",
                "person.email.other": "person:emailother",
                "person.phone.work": "person:phonework person:phone",
                "person.phone.home": "person:phonehome",
                "person.phone.mobile": "person:phonemobile",
                "person.phone.other": "person:phoneother",
                "organisation.city": "organization:citytownofaddress",
                "organisation.country": "organization:countryofaddress",
                KEEP: (
                    "deal:id deal:pipeline deal:probability deal:label person:id person:owner "
                    "person:label organization:id organization:owner organization:address "
                    "organization:label"
                ),
            }
        ),
    ),
    Tool(
        name="Zoho CRM",
        markers=frozenset(
            {
                "Record Id",
                "Created Time",
                "Modified Time",
                "Closing Date",
                "Contact Owner",
                "Deal Owner",
                "Account Owner",
                "Reason For Loss",
                "Contact Name",
                "Account Name",
                "Mailing City",
                "Mailing Country",
                "Billing City",
                "Billing Country",
                "Employees",
                "Expected Revenue",
                "Created By",
                "Modified By",
                "Secondary Email",
                "Lead Source",
                "Next Step",
                "Probability (%)",
                "Last Activity Time",
                "Full Name",
            }
        ),
    ),
]
