from django import forms

from funnel.accounts.models import Team


class TeamModelForm(forms.ModelForm):
    """A form for a team-owned record: the team comes from the user, never from the POST.

    The team takes part in validation, so team-wide unique constraints give a field error
    instead of a database error.
    """

    def __init__(self, *args, team: Team, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.instance.team = team

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() - {"team"}
