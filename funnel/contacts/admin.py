from django.contrib import admin

from funnel.contacts.models import EmailAddress, Organisation, Person, PhoneNumber


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ["name", "sector", "size", "country", "city", "team"]
    list_filter = ["country", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "sector", "city"]


class EmailInline(admin.TabularInline[EmailAddress, Person]):
    model = EmailAddress
    extra = 0


class PhoneInline(admin.TabularInline[PhoneNumber, Person]):
    model = PhoneNumber
    extra = 0


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin[Person]):
    list_display = ["name", "job_title", "organisation", "team"]
    list_select_related = ["organisation", "team"]
    list_filter = ["team"]
    search_fields = ["name", "job_title", "organisation__name", "emails__address"]
    autocomplete_fields = ["organisation"]
    inlines = [EmailInline, PhoneInline]
