"""Hand-written people, places and companies for the demo, one block per country.

Phone patterns: `#` is any digit, `N` a digit from 2 to 9. British, American and Australian
numbers use the ranges those countries reserve for fiction, so no real line is ever printed.
"""

from dataclasses import dataclass


def listed(text: str) -> tuple[str, ...]:
    """`"Rossi, De Luca"` gives `("Rossi", "De Luca")`: long lists of names stay compact."""
    return tuple(name.strip() for name in text.split(","))


@dataclass(frozen=True)
class Company:
    name: str
    sector: str
    family: str = ""  # the owning family's surname, given to the person who runs it


@dataclass(frozen=True)
class Country:
    code: str
    quota: int  # how many of the demo's organisations come from here
    language: str
    currency: str
    tld: str
    mobile: str
    cities: tuple[tuple[str, str], ...]  # (city, pattern of an office number there)
    first_names: tuple[str, ...]
    surnames: tuple[str, ...]
    companies: tuple[Company, ...]
    mail_providers: tuple[str, ...]
    double_surnames: bool = False  # Spanish people often carry both family names


ITALY = Country(
    code="IT",
    quota=12,
    language="it",
    currency="EUR",
    tld="it",
    mobile="+39 3N# ### ####",
    cities=(
        ("Milano", "+39 02 #### ####"),
        ("Roma", "+39 06 #### ####"),
        ("Torino", "+39 011 ### ####"),
        ("Bologna", "+39 051 ### ####"),
        ("Firenze", "+39 055 ### ####"),
        ("Verona", "+39 045 ### ####"),
        ("Padova", "+39 049 ### ####"),
        ("Bergamo", "+39 035 ### ####"),
        ("Brescia", "+39 030 ### ####"),
        ("Bari", "+39 080 ### ####"),
    ),
    first_names=listed(
        "Marco, Giulia, Luca, Francesca, Alessandro, Chiara, Matteo, Sara, Andrea, Elena, "
        "Davide, Valentina, Stefano, Federica, Paolo, Martina, Giorgio, Silvia, Lorenzo, "
        "Anna, Roberto, Laura, Simone, Elisa"
    ),
    surnames=listed(
        "Rossi, Russo, Ferrari, Esposito, Romano, Colombo, Ricci, Marino, Greco, Bruno, "
        "Conti, De Luca, Mancini, Costa, Giordano, Rizzo, Barbieri, Fontana, Mariani, "
        "Caruso, Villa, Pellegrini, Fabbri, Cattaneo"
    ),
    companies=(
        Company("Ferretti Arredamenti", "Manufacturing", "Ferretti"),
        Company("Officine Meccaniche Rinaldi", "Manufacturing", "Rinaldi"),
        Company("Tessitura Sala", "Manufacturing", "Sala"),
        Company("Caseificio Colombo", "Food production", "Colombo"),
        Company("Cantina Rossetti", "Food production", "Rossetti"),
        Company("Hotel Villa Serena", "Hospitality"),
        Company("Hotel Il Gabbiano", "Hospitality"),
        Company("Studio Dentistico Marchetti", "Healthcare", "Marchetti"),
        Company("Farmacia Santoro", "Healthcare", "Santoro"),
        Company("Gallo Trasporti", "Logistics", "Gallo"),
        Company("Edilizia Moretti", "Construction", "Moretti"),
        Company("Ottica Galli", "Retail", "Galli"),
        Company("Lombardi & Associati", "Professional services", "Lombardi"),
        Company("Nexum Software", "Software"),
        Company("Scuola di Lingue Babele", "Education"),
        Company("Pasticceria Conti", "Retail", "Conti"),
    ),
    mail_providers=("gmail.com", "libero.it", "outlook.it"),
)

NETHERLANDS = Country(
    code="NL",
    quota=6,
    language="nl",
    currency="EUR",
    tld="nl",
    mobile="+31 6 #### ####",
    cities=(
        ("Amsterdam", "+31 20 ### ####"),
        ("Rotterdam", "+31 10 ### ####"),
        ("Utrecht", "+31 30 ### ####"),
        ("Eindhoven", "+31 40 ### ####"),
        ("Den Haag", "+31 70 ### ####"),
        ("Groningen", "+31 50 ### ####"),
        ("Zwolle", "+31 38 ### ####"),
        ("Haarlem", "+31 23 ### ####"),
    ),
    first_names=listed(
        "Jan, Sanne, Pieter, Lotte, Daan, Anouk, Bram, Femke, Thijs, Eva, Joost, Marieke, "
        "Ruben, Ingrid, Sem, Lieke, Wouter, Esther"
    ),
    surnames=listed(
        "de Jong, Jansen, van den Berg, Bakker, Visser, Meijer, de Boer, Bos, Vos, Peters, "
        "Hendriks, Dekker, Brouwer, van Leeuwen, Verhoeven, Koster"
    ),
    companies=(
        Company("Van Dijk Logistiek", "Logistics", "van Dijk"),
        Company("Bakkerij De Vries", "Food production", "de Vries"),
        Company("Jansen Installatietechniek", "Construction", "Jansen"),
        Company("Tandartspraktijk Mulder", "Healthcare", "Mulder"),
        Company("Bosman Bouw", "Construction", "Bosman"),
        Company("Hotel Het Anker", "Hospitality"),
        Company("Kroes Metaalbewerking B.V.", "Manufacturing", "Kroes"),
        Company("Brandsma Accountants", "Professional services", "Brandsma"),
        Company("Pixelwerf", "Software"),
        Company("Smit Fietsen", "Retail", "Smit"),
    ),
    mail_providers=("gmail.com", "ziggo.nl", "outlook.com"),
)

SWEDEN = Country(
    code="SE",
    quota=5,
    language="sv",
    currency="SEK",
    tld="se",
    mobile="+46 7N ### ## ##",
    cities=(
        ("Stockholm", "+46 8 ### ## ##"),
        ("Göteborg", "+46 31 ### ## ##"),
        ("Malmö", "+46 40 ### ## ##"),
        ("Uppsala", "+46 18 ### ## ##"),
        ("Västerås", "+46 21 ### ## ##"),
        ("Linköping", "+46 13 ### ## ##"),
        ("Örebro", "+46 19 ### ## ##"),
    ),
    first_names=listed(
        "Erik, Anna, Johan, Karin, Lars, Maria, Anders, Sara, Magnus, Emma, Oskar, Elin, "
        "Fredrik, Linnea, Henrik, Ida, Gustav, Maja"
    ),
    surnames=listed(
        "Andersson, Johansson, Karlsson, Nilsson, Eriksson, Larsson, Olsson, Persson, "
        "Svensson, Gustafsson, Lindberg, Hedlund, Holm, Ek, Forsberg"
    ),
    companies=(
        Company("Lindqvist Bygg AB", "Construction", "Lindqvist"),
        Company("Nordström Snickeri AB", "Manufacturing", "Nordström"),
        Company("Bergman Tandvård", "Healthcare", "Bergman"),
        Company("Hotell Fjällgården", "Hospitality"),
        Company("Sjöberg Logistik AB", "Logistics", "Sjöberg"),
        Company("Ek & Holm Redovisning", "Professional services"),
        Company("Kodverket AB", "Software"),
        Company("Wikström Café & Bageri", "Food production", "Wikström"),
        Company("Åkesson Maskin AB", "Manufacturing", "Åkesson"),
    ),
    mail_providers=("gmail.com", "telia.com", "outlook.com"),
)

SPAIN = Country(
    code="ES",
    quota=5,
    language="es",
    currency="EUR",
    tld="es",
    mobile="+34 6## ### ###",
    cities=(
        ("Madrid", "+34 91 ### ## ##"),
        ("Barcelona", "+34 93 ### ## ##"),
        ("Valencia", "+34 96 ### ## ##"),
        ("Sevilla", "+34 954 ## ## ##"),
        ("Bilbao", "+34 944 ## ## ##"),
        ("Málaga", "+34 952 ## ## ##"),
        ("Zaragoza", "+34 976 ## ## ##"),
    ),
    first_names=listed(
        "Carlos, Lucía, Javier, María, Pablo, Carmen, Diego, Laura, Sergio, Marta, "
        "Alejandro, Elena, Raúl, Paula, Álvaro, Cristina, Jorge, Isabel"
    ),
    surnames=listed(
        "García, Fernández, González, Rodríguez, López, Martínez, Sánchez, Pérez, Gómez, "
        "Martín, Jiménez, Ruiz, Romero, Torres, Domínguez, Gil, Moreno"
    ),
    companies=(
        Company("Ortega Consultores", "Professional services", "Ortega"),
        Company("Hostal La Alameda", "Hospitality"),
        Company("Construcciones Navarro", "Construction", "Navarro"),
        Company("Clínica Dental Serrano", "Healthcare", "Serrano"),
        Company("Transportes Molina", "Logistics", "Molina"),
        Company("Muebles Castillo S.L.", "Manufacturing", "Castillo"),
        Company("Academia Delta", "Education"),
        Company("Obrador Herrera", "Food production", "Herrera"),
        Company("Ferretería Vidal", "Retail", "Vidal"),
        Company("Quántica Software", "Software"),
    ),
    mail_providers=("gmail.com", "hotmail.es", "outlook.es"),
    double_surnames=True,
)

UNITED_KINGDOM = Country(
    code="GB",
    quota=5,
    language="en",
    currency="GBP",
    tld="co.uk",
    mobile="+44 7700 900###",
    cities=(
        ("London", "+44 20 7946 0###"),
        ("Manchester", "+44 161 496 0###"),
        ("Bristol", "+44 117 496 0###"),
        ("Leeds", "+44 113 496 0###"),
        ("Edinburgh", "+44 131 496 0###"),
        ("Birmingham", "+44 121 496 0###"),
    ),
    first_names=listed(
        "James, Emma, Oliver, Charlotte, Tom, Sophie, Daniel, Hannah, Richard, Lucy, Mark, "
        "Rachel, Simon, Claire"
    ),
    surnames=listed(
        "Taylor, Brown, Wilson, Evans, Thomas, Roberts, Walker, Wright, Hughes, Clarke, "
        "Harrison, Mitchell, Turner, Bennett"
    ),
    companies=(
        Company("Harbour Lane Dental", "Healthcare"),
        Company("Whitmore & Hale Solicitors", "Professional services"),
        Company("Thornbury Joinery", "Manufacturing"),
        Company("Kestrel Freight Ltd", "Logistics"),
        Company("The Old Mill Hotel", "Hospitality"),
        Company("Ashdown Building Services", "Construction"),
        Company("Brightwater Learning", "Education"),
        Company("Pennywell Farm Shop", "Retail"),
        Company("Fernsby Software", "Software"),
    ),
    mail_providers=("gmail.com", "outlook.com", "btinternet.com"),
)

IRELAND = Country(
    code="IE",
    quota=2,
    language="en",
    currency="EUR",
    tld="ie",
    mobile="+353 8N ### ####",
    cities=(
        ("Dublin", "+353 1 ### ####"),
        ("Cork", "+353 21 ### ####"),
        ("Galway", "+353 91 ### ###"),
        ("Limerick", "+353 61 ### ###"),
    ),
    first_names=listed("Aoife, Ciarán, Niamh, Conor, Siobhán, Declan, Róisín, Eoin, Orla, Padraig"),
    surnames=listed(
        "Murphy, Kelly, Walsh, O'Brien, Byrne, Ryan, O'Connor, Doyle, McCarthy, Gallagher"
    ),
    companies=(
        Company("O'Sullivan Engineering", "Manufacturing", "O'Sullivan"),
        Company("The Quay House Hotel", "Hospitality"),
        Company("Brennan Pharmacy", "Healthcare", "Brennan"),
        Company("Kilbride Logistics", "Logistics"),
    ),
    mail_providers=("gmail.com", "eircom.net"),
)

UNITED_STATES = Country(
    code="US",
    quota=3,
    language="en",
    currency="EUR",
    tld="com",
    mobile="+1 N## 555 01##",
    cities=(
        ("Boston", "+1 617 555 01##"),
        ("Austin", "+1 512 555 01##"),
        ("Chicago", "+1 312 555 01##"),
        ("Denver", "+1 303 555 01##"),
        ("Portland", "+1 503 555 01##"),
    ),
    first_names=listed(
        "Michael, Jennifer, David, Ashley, Chris, Megan, Brian, Amanda, Kevin, Nicole, Ryan, Lauren"
    ),
    surnames=listed(
        "Smith, Johnson, Miller, Davis, Anderson, Thompson, Parker, Reed, Coleman, Brooks, "
        "Hayes, Foster"
    ),
    companies=(
        Company("Cedar Ridge Family Practice", "Healthcare"),
        Company("Bluebonnet Catering", "Hospitality"),
        Company("Northfield Machine Works Inc.", "Manufacturing"),
        Company("Copperline Software", "Software"),
        Company("Hartman & Cole CPAs", "Professional services"),
    ),
    mail_providers=("gmail.com", "yahoo.com", "outlook.com"),
)

AUSTRALIA = Country(
    code="AU",
    quota=2,
    language="en",
    currency="EUR",
    tld="com.au",
    mobile="+61 491 570 4##",
    cities=(
        ("Sydney", "+61 2 5550 ####"),
        ("Melbourne", "+61 3 7010 ####"),
        ("Brisbane", "+61 7 5550 ####"),
        ("Perth", "+61 8 7010 ####"),
    ),
    first_names=listed("Jack, Chloe, Liam, Mia, Nathan, Jessica, Josh, Kate, Ben, Rebecca"),
    surnames=listed("Nguyen, Williams, Campbell, Stewart, Morgan, Cooper, Fraser, Harris"),
    companies=(
        Company("Coastline Physio", "Healthcare"),
        Company("Ironbark Constructions Pty Ltd", "Construction"),
        Company("Wattle Street Cafe", "Hospitality"),
        Company("Southern Cross Freight", "Logistics"),
    ),
    mail_providers=("gmail.com", "bigpond.com"),
)

COUNTRIES = (ITALY, NETHERLANDS, SWEDEN, SPAIN, UNITED_KINGDOM, IRELAND, UNITED_STATES, AUSTRALIA)

# People per organisation range with the sector; (smallest, largest).
SECTOR_SIZES = {
    "Hospitality": (8, 60),
    "Manufacturing": (15, 180),
    "Food production": (10, 110),
    "Retail": (4, 60),
    "Healthcare": (5, 45),
    "Software": (8, 120),
    "Logistics": (12, 150),
    "Construction": (10, 90),
    "Education": (12, 80),
    "Professional services": (4, 40),
}

# Words dropped from web addresses.
LEGAL_SUFFIXES = {"ab", "bv", "sl", "ltd", "inc", "pty", "srl"}

# Who signs, who uses, who screens; sector-specific titles join the general ones.
ECONOMIC_TITLES = ("CEO", "Managing director", "Owner", "Founder", "General manager")
USER_TITLES = ("Head of Operations", "Operations manager", "HR manager", "Sales director")
TECHNICAL_TITLES = (
    "Office manager",
    "Purchasing manager",
    "CFO",
    "Finance controller",
    "IT manager",
    "Quality manager",
)
SECTOR_TITLES = {
    "Hospitality": ("Front office manager", "Head chef"),
    "Manufacturing": ("Production manager", "Plant manager"),
    "Food production": ("Production manager",),
    "Retail": ("Store manager", "Head of Buying"),
    "Healthcare": ("Practice manager", "Head nurse"),
    "Software": ("Head of Engineering", "Head of Product"),
    "Logistics": ("Warehouse manager", "Fleet manager"),
    "Construction": ("Site manager", "Project manager"),
    "Education": ("Director of studies", "Admissions manager"),
    "Professional services": ("Senior associate", "Practice manager"),
}
SECTOR_ECONOMIC_TITLES = {
    "Healthcare": ("Practice owner", "Medical director"),
    "Education": ("Principal",),
    "Professional services": ("Managing partner",),
}

ORGANISATION_NOTES = (
    "Opening a second site next spring.",
    "Busy season from June to September; avoid long meetings then.",
    "Grew from 20 to 45 people in two years; processes have not kept up.",
    "New general manager since January.",
    "Met them through the local business association.",
    "Pays invoices on time; 30-day terms.",
    "Their largest client is asking for ISO 9001.",
    "Moved into a new building last year.",
)
FAMILY_NOTES = (
    "Family business, second generation.",
    "Owner plans to step back in three to five years; succession is on their mind.",
)
PERSON_NOTES = (
    "Prefers calls before 10:00.",
    "Copy the assistant on meeting requests.",
    "Reads everything on paper: send PDFs.",
    "Very direct; wants the numbers first.",
    "Ex-colleague from my corporate years.",
    "Answers email late in the evening.",
    "Cycles to work; ask about the weekend rides.",
    "Decides quickly once trust is there.",
    "Never on Fridays: works from the second site.",
)
