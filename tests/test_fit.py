"""The ideal customer: scoring rules, the profile page, ratings in place, and where scores show."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from funnel.contacts.models import Organisation
from funnel.fit.actions import rate, refresh_fit
from funnel.fit.forms import country_code
from funnel.fit.models import FitCriterion, Rating
from funnel.fit.rules import Criterion, Prospect, is_poor_fit, score_fit
from funnel.fit.templatetags.fit import fit_badge
from funnel.sales.models import Level
from tests.test_query_counts import assert_same_queries_when_the_data_grows

PAGE = reverse("ideal_customer")
HTMX = {"HTTP_HX_REQUEST": "true"}
DEMOGRAPHIC, PSYCHOGRAPHIC = FitCriterion.Kind.DEMOGRAPHIC, FitCriterion.Kind.PSYCHOGRAPHIC


def sector(*accepted: str, weight: int = 3, id: int = 1) -> Criterion:
    return Criterion(id=id, name="Sector", weight=weight, attribute="sector", accepted=accepted)


def trait(id: int = 2, weight: int = 3) -> Criterion:
    return Criterion(id=id, name="Reputation", weight=weight)


# The rules, without the database


def test_an_unrated_criterion_is_unknown_not_zero():
    fit = score_fit([sector("Furniture"), trait()], Prospect(sector="Furniture"))
    assert fit.score == 100
    assert fit.known == 50
    assert [reason.known for reason in fit.reasons] == [True, False]
    assert fit.reasons[1].text == "Reputation: not rated yet."


def test_a_missing_detail_is_unknown_not_zero():
    fit = score_fit([sector("Furniture"), trait(weight=1)], Prospect(ratings={2: 5}))
    assert (fit.score, fit.known) == (100, 25)
    assert fit.reasons[0].text == "Sector: not known yet."


def test_weights_decide_how_much_each_criterion_counts():
    criteria = [sector("Furniture", weight=1), trait(weight=3)]
    assert score_fit(criteria, Prospect(sector="Furniture", ratings={2: 1})).score == 25
    assert score_fit(criteria, Prospect(sector="Banking", ratings={2: 5})).score == 75


@pytest.mark.parametrize(("rating", "score"), [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)])
def test_a_rating_of_1_is_no_match_and_5_a_full_match(rating, score):
    fit = score_fit([trait()], Prospect(ratings={2: rating}))
    assert (fit.score, fit.known) == (score, 100)
    assert fit.reasons[0].text == f"Reputation: rated {rating} of 5."


@pytest.mark.parametrize(
    ("criterion", "prospect", "matches"),
    [
        (sector("Furniture", "Retail"), Prospect(sector="retail"), True),  # any case
        (sector("Furniture"), Prospect(sector="Banking"), False),
        (
            Criterion(1, "City", 3, "city", accepted=("Bologna", "Modena")),
            Prospect(city="Modena"),
            True,
        ),
        (Criterion(1, "City", 3, "city", accepted=("Bologna",)), Prospect(city="Rome"), False),
        (
            Criterion(1, "Country", 3, "country", accepted=("IT",)),
            Prospect(country="IT", country_name="Italy"),
            True,
        ),
        (
            Criterion(1, "Country", 3, "country", accepted=("italy",)),
            Prospect(country="IT", country_name="Italy"),
            True,
        ),
        (
            Criterion(1, "Country", 3, "country", accepted=("DE", "France")),
            Prospect(country="IT", country_name="Italy"),
            False,
        ),
        (
            Criterion(1, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(50)),
            Prospect(size=50),  # both ends count
            True,
        ),
        (
            Criterion(1, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(50)),
            Prospect(size=51),
            False,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", minimum=Decimal(5000)),
            Prospect(deal_value=Decimal("1000000")),  # open-ended: or more
            True,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", maximum=Decimal(5000)),
            Prospect(deal_value=Decimal("4999.50")),  # open-ended: up to
            True,
        ),
        (
            Criterion(1, "Deals", 3, "deal_value", minimum=Decimal(5000)),
            Prospect(deal_value=Decimal("4999.99")),
            False,
        ),
    ],
)
def test_each_demographic_attribute_matches_its_field(criterion, prospect, matches):
    fit = score_fit([criterion], prospect)
    assert fit.score == (100 if matches else 0)
    assert fit.known == 100


def test_reasons_say_why_in_words():
    criteria = [
        sector("Furniture"),
        Criterion(2, "Size", 3, "size", minimum=Decimal(10), maximum=Decimal(1000)),
        Criterion(3, "Country", 3, "country", accepted=("DE",)),
        Criterion(4, "Deals", 3, "deal_value", minimum=Decimal(5000)),
    ]
    prospect = Prospect(
        sector="Furniture", size=45, country="IT", country_name="Italy", deal_value=Decimal(900)
    )
    assert [reason.text for reason in score_fit(criteria, prospect).reasons] == [
        "Sector: Furniture is on your list.",
        "Size: 45 is within 10 to 1,000.",
        "Country: Italy is not on your list.",
        "Deals: 900 is outside 5,000 or more.",
    ]


def test_with_no_criteria_at_all_there_is_no_score():
    fit = score_fit([], Prospect(sector="Furniture"))
    assert (fit.score, fit.known, fit.reasons) == (None, 0, ())


def test_when_nothing_is_known_there_is_no_score_rather_than_zero():
    fit = score_fit([sector("Furniture"), trait()], Prospect())
    assert (fit.score, fit.known) == (None, 0)


@pytest.mark.parametrize(
    ("score", "threshold", "poor"),
    [(39, 40, True), (40, 40, False), (0, 1, True), (0, 0, False), (None, 40, False)],
)
def test_only_a_known_score_below_the_threshold_is_a_poor_fit(score, threshold, poor):
    assert is_poor_fit(score, threshold) is poor


@pytest.mark.parametrize(
    ("typed", "code"),
    [("IT", "IT"), ("it", "IT"), ("Italy", "IT"), (" germany ", "DE"), ("Atlantis", None)],
)
def test_a_country_is_found_by_code_or_english_name(typed, code):
    assert country_code(typed) == code


def test_a_country_is_found_by_its_name_in_the_readers_language():
    with translation.override("it"):
        assert country_code("Germania") == "DE"


# The ideal customer page


@pytest.fixture
def team(owner):
    return owner.profile.team


def criterion(team, name: str, kind: str = DEMOGRAPHIC, **fields) -> FitCriterion:
    position = FitCriterion.objects.filter(team=team, kind=kind).count()
    return FitCriterion.objects.create(team=team, kind=kind, name=name, position=position, **fields)


def row(item: FitCriterion, **changes) -> dict[str, str]:
    fields = {
        "id": str(item.pk),
        "name": item.name,
        "weight": str(item.weight),
        "ORDER": str(item.position + 1),
    }
    if item.kind == DEMOGRAPHIC:
        fields.update(
            attribute=item.attribute,
            accepted=item.accepted,
            minimum="" if item.minimum is None else str(item.minimum),
            maximum="" if item.maximum is None else str(item.maximum),
        )
    return {**fields, **{key: str(value) for key, value in changes.items()}}


def profile_data(
    team, *, demographic=None, psychographic=None, threshold: int | None = None
) -> dict[str, str]:
    """The page's POST: every saved criterion as it is unless given, then any new rows."""
    data = {"poor_fit_below": str(team.poor_fit_below if threshold is None else threshold)}
    for kind, rows in [(DEMOGRAPHIC, demographic), (PSYCHOGRAPHIC, psychographic)]:
        if rows is None:
            rows = [row(item) for item in FitCriterion.objects.filter(team=team, kind=kind)]
        data[f"{kind}-TOTAL_FORMS"] = str(len(rows))
        data[f"{kind}-INITIAL_FORMS"] = str(sum(1 for r in rows if r.get("id")))
        for index, fields in enumerate(rows):
            data.update({f"{kind}-{index}-{name}": value for name, value in fields.items()})
    return data


def names(team, kind: str) -> list[str]:
    return list(FitCriterion.objects.filter(team=team, kind=kind).values_list("name", flat=True))


def test_the_page_shows_the_default_traits_and_explains_the_method(owner_client):
    response = owner_client.get(PAGE)
    assert response.status_code == 200
    for name in ["Reputation", "Culture", "Ethics", "Openness to innovation"]:
        assert f'value="{name}"' in response.text
    assert "counts as unknown, not as a miss" in response.text
    assert "Poor fit below" in response.text


def test_saving_renames_adds_and_sets_the_threshold(owner_client, team):
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    new_sector = {"name": "Sector", "weight": "5", "attribute": "sector"}
    new_sector["accepted"] = "Furniture, Hospitality"
    data = profile_data(
        team,
        demographic=[new_sector],
        psychographic=[row(reputation, name="Good name", weight=5), *map(row, others)],
        threshold=55,
    )
    response = owner_client.post(PAGE, data, follow=True)
    assert "Your ideal customer is saved and every fit score updated." in response.text
    assert names(team, PSYCHOGRAPHIC)[0] == "Good name"
    added = FitCriterion.objects.get(team=team, kind=DEMOGRAPHIC)
    assert (added.weight, added.accepted_values) == (5, ("Furniture", "Hospitality"))
    team.refresh_from_db()
    assert team.poor_fit_below == 55


def test_an_empty_extra_row_adds_nothing(owner_client, team):
    empty = {"name": "", "weight": "3", "attribute": "", "accepted": "", "ORDER": ""}
    owner_client.post(PAGE, profile_data(team, demographic=[empty]))
    assert not FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC).exists()


def test_criteria_keep_their_order_and_can_be_reordered(owner_client, team):
    before = names(team, PSYCHOGRAPHIC)
    owner_client.post(PAGE, profile_data(team))
    assert names(team, PSYCHOGRAPHIC) == before
    first, second, *rest = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rows = [row(first, ORDER=4), row(second, ORDER=1), *map(row, rest)]
    owner_client.post(PAGE, profile_data(team, psychographic=rows))
    assert names(team, PSYCHOGRAPHIC)[:3] == [second.name, before[2], first.name]


def test_a_criterion_can_be_deleted_with_its_ratings(owner_client, team, organisation):
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rate(organisation=organisation, criterion=reputation, value=5)
    rows = [row(reputation, DELETE="on"), *map(row, others)]
    owner_client.post(PAGE, profile_data(team, psychographic=rows))
    assert "Reputation" not in names(team, PSYCHOGRAPHIC)
    assert not Rating.objects.exists()


def test_countries_are_typed_by_name_or_code_and_shown_by_name(owner_client, team):
    country = {"name": "Where", "weight": "3", "attribute": "country", "accepted": "Italy, de"}
    owner_client.post(PAGE, profile_data(team, demographic=[country]))
    saved = FitCriterion.objects.get(team=team, kind=DEMOGRAPHIC)
    assert saved.accepted == "IT, DE"
    assert 'value="Italy, Germany"' in owner_client.get(PAGE).text


def test_a_list_criterion_ignores_a_range_and_a_range_criterion_a_list(owner_client, team):
    rows = [
        {"name": "Sector", "weight": "3", "attribute": "sector", "accepted": "Retail"},
        {"name": "Size", "weight": "3", "attribute": "size", "accepted": "x", "minimum": "10"},
    ]
    rows[0]["maximum"] = "99"
    owner_client.post(PAGE, profile_data(team, demographic=rows))
    sector_row, size_row = FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC)
    assert (sector_row.accepted, sector_row.maximum) == ("Retail", None)
    assert (size_row.accepted, size_row.minimum, size_row.maximum) == ("", Decimal(10), None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"attribute": ""}, "Choose what this criterion matches."),
        ({"attribute": "sector", "accepted": " , "}, "List the values that match"),
        ({"attribute": "size"}, "Give a range: a lowest value, a highest value or both."),
        (
            {"attribute": "deal_value", "minimum": "5000", "maximum": "100"},
            "The range must start below where it ends.",
        ),
        ({"attribute": "country", "accepted": "Italy, Atlantis"}, "Unknown country: Atlantis."),
        ({"attribute": "sector", "accepted": "Retail", "name": ""}, "This field is required."),
        ({"attribute": "sector", "accepted": "Retail", "weight": "9"}, "Select a valid choice."),
    ],
)
def test_bad_input_keeps_what_was_saved_and_says_why(owner_client, team, fields, message):
    before = names(team, PSYCHOGRAPHIC)
    bad = {"name": "Bad", "weight": "3", "accepted": "", "minimum": "", "maximum": "", **fields}
    reputation, *others = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC)
    rows = [row(reputation, name="Renamed"), *map(row, others)]
    response = owner_client.post(
        PAGE, profile_data(team, demographic=[bad], psychographic=rows, threshold=70)
    )
    assert response.status_code == 422
    assert "Nothing was saved yet: please correct the marked fields." in response.text
    assert message in response.text
    assert 'value="Renamed"' in response.text  # what was typed is shown back
    assert not FitCriterion.objects.filter(team=team, kind=DEMOGRAPHIC).exists()
    assert names(team, PSYCHOGRAPHIC) == before
    team.refresh_from_db()
    assert team.poor_fit_below == 40


def test_a_threshold_over_100_is_refused(owner_client, team):
    response = owner_client.post(PAGE, profile_data(team, threshold=101))
    assert "Ensure this value is less than or equal to 100." in response.text
    team.refresh_from_db()
    assert team.poor_fit_below == 40


def test_saving_recomputes_every_organisations_score(owner_client, team, organisation):
    other = Organisation.objects.create(team=team, name="Banca Verdi", sector="Banking")
    refresh_fit(organisations=Organisation.objects.filter(team=team))
    assert Organisation.objects.get(pk=organisation.pk).fit_score is None
    rows = [{"name": "Sector", "weight": "3", "attribute": "sector", "accepted": "Furniture"}]
    owner_client.post(PAGE, profile_data(team, demographic=rows))
    organisation.refresh_from_db()
    other.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (100, 17)  # weight 3 of 3 + 5 x 3
    assert (other.fit_score, other.fit_known) == (0, 17)


def test_an_outsider_sees_their_own_profile_not_anothers(outsider_client, team):
    criterion(team, "Anna's secret sector", attribute="sector", accepted="Secret")
    response = outsider_client.get(PAGE)
    assert response.status_code == 200
    assert "Anna&#x27;s secret sector" not in response.text
    assert "Secret" not in response.text


def test_an_outsider_cannot_change_another_teams_criteria(outsider, outsider_client, team):
    reputation = FitCriterion.objects.filter(team=team, kind=PSYCHOGRAPHIC).first()
    rows = [row(reputation, name="Hijacked")]
    data = profile_data(outsider.profile.team, psychographic=rows)
    data[f"{PSYCHOGRAPHIC}-INITIAL_FORMS"] = "1"
    outsider_client.post(PAGE, data)
    reputation.refresh_from_db()
    assert reputation.name == "Reputation"
    assert reputation.team == team
    assert "Hijacked" not in names(outsider.profile.team, PSYCHOGRAPHIC)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# Rating in place


@pytest.fixture
def reputation(team) -> FitCriterion:
    return FitCriterion.objects.get(team=team, name="Reputation")


def rate_url(organisation: Organisation) -> str:
    return reverse("organisation_rate", args=[organisation.pk])


def test_rating_saves_and_returns_the_fit_card(owner_client, organisation, reputation):
    response = owner_client.post(
        rate_url(organisation), {"criterion": reputation.pk, "value": "4"}, **HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="fit"' in response.text
    assert "Reputation: rated 4 of 5." in response.text
    assert "<strong>75</strong> / 100" in response.text
    assert Rating.objects.get(organisation=organisation, criterion=reputation).value == 4
    organisation.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (75, 20)


def test_a_rating_can_be_changed_and_cleared(owner_client, organisation, reputation):
    url = rate_url(organisation)
    owner_client.post(url, {"criterion": reputation.pk, "value": "2"}, **HTMX)
    owner_client.post(url, {"criterion": reputation.pk, "value": "5"}, **HTMX)
    assert Rating.objects.get().value == 5
    response = owner_client.post(url, {"criterion": reputation.pk, "value": ""}, **HTMX)
    assert response.status_code == 200
    assert "Reputation: not rated yet." in response.text
    assert not Rating.objects.exists()
    organisation.refresh_from_db()
    assert (organisation.fit_score, organisation.fit_known) == (None, 0)


@pytest.mark.parametrize("value", ["0", "6", "3.5", "good"])
def test_a_rating_is_1_to_5_only(owner_client, organisation, reputation, value):
    url = rate_url(organisation)
    response = owner_client.post(url, {"criterion": reputation.pk, "value": value}, **HTMX)
    assert response.status_code == 422
    assert "The rating was not saved: choose from 1 to 5." in response.text
    assert not Rating.objects.exists()


def test_a_demographic_or_another_teams_criterion_cannot_be_rated(
    owner_client, organisation, outsider
):
    sector_criterion = criterion(organisation.team, "Sector", attribute="sector", accepted="X")
    theirs = FitCriterion.objects.filter(team=outsider.profile.team).first()
    for item in [sector_criterion, theirs]:
        response = owner_client.post(
            rate_url(organisation), {"criterion": item.pk, "value": "3"}, **HTMX
        )
        assert response.status_code == 422
    assert not Rating.objects.exists()


def test_without_htmx_rating_returns_to_the_organisation(owner_client, organisation, reputation):
    response = owner_client.post(rate_url(organisation), {"criterion": reputation.pk, "value": 3})
    assert response.status_code == 302
    assert response.url == organisation.get_absolute_url()
    assert Rating.objects.get().value == 3


def test_an_outsider_gets_404_when_rating_someone_elses_organisation(
    outsider_client, organisation, reputation
):
    response = outsider_client.post(
        rate_url(organisation), {"criterion": reputation.pk, "value": "5"}, **HTMX
    )
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_rating_needs_a_post(owner_client, organisation):
    assert owner_client.get(rate_url(organisation)).status_code == 405


# Where the score shows


@pytest.fixture
def furniture(team) -> FitCriterion:
    return criterion(team, "Sector", attribute="sector", accepted="Furniture, Retail", weight=5)


def test_the_organisation_page_shows_score_known_share_and_reasons(
    owner_client, organisation, furniture, reputation
):
    rate(organisation=organisation, criterion=reputation, value=3)
    response = owner_client.get(organisation.get_absolute_url())
    assert "<strong>81</strong> / 100" in response.text  # (5 x 1 + 3 x .5) / 8
    assert "Based on 40% of your profile." in response.text  # 8 of 20
    assert "Sector: Furniture is on your list." in response.text
    assert "Reputation: rated 3 of 5." in response.text
    assert "Culture: not rated yet." in response.text
    assert 'aria-pressed="true">3</button>' in response.text
    assert "poor fit" not in response.text


def test_the_organisation_page_marks_a_poor_fit(owner_client, organisation, team):
    criterion(team, "Sector", attribute="sector", accepted="Banking")
    response = owner_client.get(organisation.get_absolute_url())
    assert "<strong>0</strong> / 100" in response.text
    assert "poor fit" in response.text


def test_the_organisation_page_says_when_nothing_is_known(owner_client, organisation):
    response = owner_client.get(organisation.get_absolute_url())
    assert "Not enough is known yet to score the fit." in response.text


def test_creating_or_editing_an_organisation_stores_its_score(owner_client, team, furniture):
    data = {"name": "Mobili Rossi", "sector": "Furniture", "country": "", "size": ""}
    owner_client.post(reverse("organisation_create"), data)
    created = Organisation.objects.get(name="Mobili Rossi")
    assert created.fit_score == 100
    url = reverse("organisation_edit", args=[created.pk])
    owner_client.post(url, {**data, "sector": "Banking"})
    created.refresh_from_db()
    assert created.fit_score == 0


def test_the_list_shows_and_sorts_by_fit_with_unknown_last(owner_client, team, furniture):
    for name, sector_name in [("Alfa", "Retail"), ("Beta", ""), ("Gamma", "Banking")]:
        Organisation.objects.create(team=team, name=name, sector=sector_name)
    refresh_fit(organisations=Organisation.objects.filter(team=team))
    url = reverse("organisation_list")
    ascending = owner_client.get(url, {"sort": "fit"}).text
    descending = owner_client.get(url, {"sort": "-fit"}).text
    assert sorted(["Alfa", "Beta", "Gamma"], key=ascending.index) == ["Gamma", "Alfa", "Beta"]
    assert sorted(["Alfa", "Beta", "Gamma"], key=descending.index) == ["Alfa", "Gamma", "Beta"]
    assert ascending.count("poor fit") == 1  # Gamma, at 0


def badge(score: int | None, known: int | None = 60, threshold: int | None = 40) -> str:
    return fit_badge(score, known, threshold)


def test_the_badge_shows_score_and_poor_fit_small_enough_for_a_card():
    poor, good, unknown = badge(12), badge(72), badge(None, known=0)
    assert "Fit 12 · poor fit" in poor
    assert 'title="Fit 72 / 100, based on 60% of your profile"' in good
    assert "poor fit" not in good
    assert "Fit —" in unknown


def test_the_badge_without_a_threshold_or_known_share_marks_nothing_poor():
    html = badge(12, known=None, threshold=None)
    assert "Fit 12" in html
    assert 'title="Fit 12 / 100"' in html
    assert "poor fit" not in html


# The settings page


def test_settings_show_the_sales_cycle_setting_until_there_are_enough_won_deals(
    owner_client, owner
):
    owner.profile.sales_cycle_days = 75
    owner.profile.save(update_fields=["sales_cycle_days"])
    response = owner_client.get(reverse("settings"))
    assert "Your normal sales cycle: 75 days, your setting." in response.text
    assert "Your setting applies until you have won 5 deals in 24 months" in response.text
    assert reverse("ideal_customer") in response.text


def test_settings_show_the_sales_cycle_measured_from_won_deals(owner_client, make_opportunity):
    today = timezone.localdate()
    for days in [30, 40, 50, 60, 70, 80]:
        make_opportunity(
            f"Won in {days}", level=Level.WON, first_contact_on=today - timedelta(days=days)
        )
    response = owner_client.get(reverse("settings"))
    assert "Your normal sales cycle: 55 days, median of 6 won deals." in response.text


# Queries


def test_the_organisation_page_makes_as_many_queries_for_30_criteria_as_for_3(
    owner_client, team, organisation, django_assert_num_queries
):
    def add_rows(indexes: range) -> None:
        for index in indexes:
            trait_row = criterion(team, f"Row {index:02}", kind=PSYCHOGRAPHIC)
            rate(organisation=organisation, criterion=trait_row, value=index % 5 + 1)
            criterion(team, f"City {index}", attribute="city", accepted="Bologna")

    assert_same_queries_when_the_data_grows(
        owner_client, organisation.get_absolute_url(), add_rows, django_assert_num_queries
    )


def test_the_organisation_list_by_fit_makes_as_many_queries_for_30_rows_as_for_3(
    owner_client, team, furniture, django_assert_num_queries
):
    def add_rows(indexes: range) -> None:
        for index in indexes:
            Organisation.objects.create(team=team, name=f"Row {index:02}", sector="Retail")
        refresh_fit(organisations=Organisation.objects.filter(team=team))

    assert_same_queries_when_the_data_grows(
        owner_client, reverse("organisation_list"), add_rows, django_assert_num_queries, sort="-fit"
    )
