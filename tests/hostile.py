"""Tools for the hostile-input tests: every page of a user, and the forms on them as a browser
would send them, so each field can be sent the extremes users and attackers type."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.auth.models import User
from django.test import Client

from benchmarks.user_pages import pages_of

# What each kind of input gets sent: the edges of the calendar, numbers no database holds,
# "²" (it passes str.isdigit() but int() refuses it), and a NUL byte (PostgreSQL refuses it in
# a query). Django's own choice and text fields refuse NUL bytes well: one try each is enough.
EXTREMES = {
    "date": ["0001-01-01", "9999-12-31"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59"],
    "time": ["24:00"],
    "number": ["99999999999999999999999", "1e309", "²"],
    "hidden": ["99999999999999999999999", "²", "\x00"],
    "text": ["\x00"],
    "textarea": ["\x00"],
    "select": ["\x00"],
    "email": ["\x00"],
    "url": ["http://[::1"],
}
# Saves of these kinds change what pages compute from: after one, every page is looked at.
COMPUTED = {"date", "datetime-local", "time", "number", "hidden"}
NOT_ATTACKED = {"csrfmiddlewaretoken", "next"}


@dataclass
class Field:
    name: str
    kind: str
    value: str


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def data(self, **changed: str) -> dict[str, str | list[str]]:
        """What a browser sends: every field with its value, checked boxes only."""
        sent: dict[str, list[str]] = {}
        for each in self.fields:
            if each.kind in ("checkbox", "radio") and not each.value:
                continue
            sent.setdefault(each.name, []).append(
                each.value or "on" if each.kind == "checkbox" else each.value
            )
        for name, value in changed.items():
            sent[name] = [value]
        return {name: values if len(values) > 1 else values[0] for name, values in sent.items()}


class FormParser(HTMLParser):
    """The POST forms of a page, with their fields' current values."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.first_option: str | None = None
        self.textarea: Field | None = None
        self.in_template = 0  # a <template>'s fields are not sent (formsets' empty rows)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attributes}
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = a.get("action") or a.get("hx-post") or self.page_url
            self.form = Form(action.split("#")[0])
        elif self.form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                value = a.get("value", "on") if "checked" in a else ""
            else:
                value = a.get("value", "")
            self.form.fields.append(Field(a["name"], kind, value))
        elif tag == "button" and a.get("name"):
            self.form.buttons.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select, self.first_option = Field(a["name"], "select", ""), None
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            if self.first_option is None:
                self.first_option = value
            if "selected" in a:
                self.select.value = value
        elif tag == "textarea" and a.get("name"):
            self.textarea = Field(a["name"], "textarea", "")

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template -= 1
        if self.in_template:
            return
        if tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select" and self.select is not None and self.form is not None:
            if not self.select.value:
                self.select.value = self.first_option or ""
            self.form.fields.append(self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append(
                Field(self.textarea.name, "textarea", self.textarea.value.strip())
            )
            self.textarea = None


def forms_on(client: Client, url: str) -> list[Form]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    parser = FormParser(url)
    parser.feed(response.content.decode())
    return [form for form in parser.forms if "/logout/" not in form.action]


def broken_pages(client: Client, user: User) -> list[tuple[str, int]]:
    """The user's pages that do not answer (a 500 raises in the test client)."""
    found = []
    for url in pages_of(user):
        status = client.get(url).status_code
        if status not in (200, 302):
            found.append((url, status))
    return found
