from django.contrib import admin
from django.http import HttpRequest

from funnel.sales.models import Activity, BuyingInfluence, LevelChange, Opportunity


class InfluenceInline(admin.TabularInline[BuyingInfluence, Opportunity]):
    model = BuyingInfluence
    extra = 0
    autocomplete_fields = ["person"]


class LevelChangeInline(admin.TabularInline[LevelChange, Opportunity]):
    """Read only: levels move through move_opportunity, which writes this history."""

    model = LevelChange
    extra = 0
    can_delete = False
    readonly_fields = ["at", "by", "from_level", "to_level", "reason", "override_reason"]

    def has_add_permission(self, request: HttpRequest, obj: Opportunity | None = None) -> bool:
        return False


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin[Opportunity]):
    list_display = ["title", "organisation", "level", "value", "currency", "owner"]
    list_filter = ["level", "team"]
    list_select_related = ["organisation", "owner"]
    search_fields = ["title", "organisation__name"]
    autocomplete_fields = ["organisation", "main_contact"]
    readonly_fields = ["level", "level_changed"]
    inlines = [InfluenceInline, LevelChangeInline]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin[Activity]):
    list_display = ["occurred", "kind", "person", "opportunity", "outcome", "minutes"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["person", "opportunity"]
    search_fields = ["notes", "person__name", "opportunity__title"]
    autocomplete_fields = ["person", "opportunity"]
    date_hierarchy = "occurred"
