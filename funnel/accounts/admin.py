from django.contrib import admin

from funnel.accounts.models import Membership, Profile, Team


class MembershipInline(admin.TabularInline[Membership, Team]):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "created"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin[Profile]):
    list_display = ["user", "team", "language", "time_zone", "currency"]
    list_select_related = ["user", "team"]
    search_fields = ["user__username", "user__email"]
