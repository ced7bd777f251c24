from django.contrib import admin

from funnel.fit.models import FitCriterion, Rating


@admin.register(FitCriterion)
class FitCriterionAdmin(admin.ModelAdmin[FitCriterion]):
    list_display = ["name", "kind", "weight", "attribute", "accepted", "position", "team"]
    list_filter = ["kind", "team"]
    list_select_related = ["team"]
    search_fields = ["name", "accepted"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin[Rating]):
    list_display = ["organisation", "criterion", "value"]
    list_filter = ["value"]
    list_select_related = ["organisation", "criterion"]
    search_fields = ["organisation__name", "criterion__name"]
    autocomplete_fields = ["organisation", "criterion"]
