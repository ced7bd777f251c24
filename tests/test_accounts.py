"""Logging in and out, the settings page, and who sees what."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from funnel.accounts.models import Membership
from funnel.contacts.models import Organisation
from funnel.sales.models import Opportunity
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_new_user_gets_a_personal_team_and_a_profile(owner: User) -> None:
    membership = Membership.objects.get(user=owner)
    assert membership.role == "owner"
    assert owner.profile.team == membership.team
    assert owner.profile.currency == "EUR"


def test_pages_ask_anonymous_visitors_to_log_in(client: Client) -> None:
    for path in [
        "/today/",
        "/funnel/",
        "/people/",
        "/organisations/",
        "/reports/",
        "/settings/",
        "/settings/ideal-customer/",
    ]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_the_home_page_leads_to_today(owner_client: Client) -> None:
    assert owner_client.get("/")["Location"] == "/today/"


def test_logging_in_with_the_right_password_opens_today(client: Client, owner: User) -> None:
    response = client.post("/login/", {"username": "anna", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/today/"
    assert "Welcome to Funnel" in response.text


def test_a_wrong_password_says_so_and_keeps_the_user_out(client: Client, owner: User) -> None:
    response = client.post("/login/", {"username": "anna", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text
    assert client.get("/today/").status_code == 302


def test_logging_out_ends_the_session(owner_client: Client) -> None:
    response = owner_client.post("/logout/")
    assert response["Location"] == "/login/"
    assert owner_client.get("/today/").status_code == 302


def test_settings_change_language_time_zone_and_currency(owner_client: Client, owner: User) -> None:
    response = owner_client.post(
        "/settings/",
        {
            "language": "sv",
            "time_zone": "Europe/Stockholm",
            "currency": "SEK",
            "sales_cycle_days": "60",
        },
        follow=True,
    )
    owner.profile.refresh_from_db()
    profile = owner.profile
    assert (profile.language, profile.time_zone, profile.currency, profile.sales_cycle_days) == (
        "sv",
        "Europe/Stockholm",
        "SEK",
        60,
    )
    assert response.headers["Content-Language"] == "sv"
    with translation.override("sv"):
        assert translation.gettext("Your settings are saved.") in response.text


def test_settings_refuse_an_unknown_time_zone(owner_client: Client, owner: User) -> None:
    response = owner_client.post(
        "/settings/",
        {"language": "", "time_zone": "Mars/Olympus", "currency": "EUR", "sales_cycle_days": "90"},
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.text
    owner.profile.refresh_from_db()
    assert owner.profile.time_zone == "UTC"


@pytest.mark.parametrize("days", ["0", "3651", "", "soon"])
def test_settings_refuse_a_sales_cycle_that_is_not_1_to_3650_days(
    owner_client: Client, owner: User, days: str
) -> None:
    data = {"language": "", "time_zone": "UTC", "currency": "EUR", "sales_cycle_days": days}
    response = owner_client.post("/settings/", data)
    assert response.status_code == 422
    assert response.context["form"].errors["sales_cycle_days"]
    owner.profile.refresh_from_db()
    assert owner.profile.sales_cycle_days == 90


def test_settings_link_to_the_ideal_customer_and_no_longer_promise_it(owner_client: Client) -> None:
    response = owner_client.get("/settings/")
    assert 'href="/settings/ideal-customer/"' in response.text
    assert "ideal customer profile, follow-up defaults" not in response.text
    assert "Your normal sales cycle: 90 days, your setting." in response.text


def test_changing_the_password_needs_the_old_one(owner_client: Client, owner: User) -> None:
    response = owner_client.post(
        "/settings/password/",
        {
            "old_password": "wrong",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert "Your old password was entered incorrectly" in response.text
    response = owner_client.post(
        "/settings/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
        follow=True,
    )
    assert "Your password has been changed." in response.text
    assert User.objects.get(pk=owner.pk).check_password("a-new-long-passphrase")


def test_a_user_sees_only_their_teams_records(owner: User, outsider: User) -> None:
    Organisation.objects.create(team=owner.profile.team, name="Mine")
    Organisation.objects.create(team=outsider.profile.team, name="Theirs")
    assert list(Organisation.objects.visible_to(owner).values_list("name", flat=True)) == ["Mine"]


def test_a_teammate_sees_the_teams_records(owner: User, outsider: User) -> None:
    Organisation.objects.create(team=owner.profile.team, name="Shared")
    Membership.objects.create(team=owner.profile.team, user=outsider)
    names = set(Organisation.objects.visible_to(outsider).values_list("name", flat=True))
    assert "Shared" in names


def test_the_admin_is_for_superusers_only(owner_client: Client) -> None:
    assert owner_client.get("/admin/").status_code == 302


def test_a_superuser_can_browse_every_kind_of_record_in_the_admin(
    client: Client, opportunity: Opportunity
) -> None:
    from funnel.accounts.actions import create_user

    admin = create_user(username="root", password=PASSWORD, superuser=True)
    client.force_login(admin)
    for path in [
        "/admin/",
        "/admin/sales/opportunity/",
        f"/admin/sales/opportunity/{opportunity.pk}/change/",
        "/admin/sales/activity/",
        "/admin/contacts/person/",
        "/admin/contacts/organisation/",
        "/admin/accounts/team/",
        "/admin/accounts/profile/",
        "/admin/fit/fitcriterion/",
        "/admin/fit/rating/",
        "/admin/fit/fitcriterion/add/",
        "/admin/fit/rating/add/",
    ]:
        assert client.get(path).status_code == 200, path


def test_new_users_start_with_the_servers_time_zone_and_currency(settings: Settings) -> None:
    from funnel.accounts.actions import create_user

    settings.TIME_ZONE = "Europe/Madrid"
    settings.DEFAULT_CURRENCY = "GBP"
    user = create_user(username="lucia", password=PASSWORD)
    assert (user.profile.time_zone, user.profile.currency) == ("Europe/Madrid", "GBP")


def test_a_profile_cannot_hold_an_unknown_time_zone(owner: User) -> None:
    from django.core.exceptions import ValidationError

    owner.profile.time_zone = "Atlantis/Capital"
    with pytest.raises(ValidationError, match="not a known time zone"):
        owner.profile.full_clean()


def test_an_unknown_page_is_a_friendly_404(owner_client: Client) -> None:
    response = owner_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.text
    assert "Go to Today" in response.text


def test_the_language_picker_names_each_language_in_itself(owner_client: Client) -> None:
    response = owner_client.get("/settings/")
    for own_name in ["Same as my browser", "Italiano", "Nederlands", "Svenska", "Español"]:
        assert own_name in response.text
