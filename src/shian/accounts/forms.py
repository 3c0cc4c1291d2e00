from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from shian.core.limits import PASSWORD_MAX_LENGTH


def _password(label, autocomplete: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class PasswordChangeForm(forms.Form):
    current_password = _password(_("Current password"), "current-password")
    new_password1 = _password(_("New password"), "new-password")
    new_password2 = _password(_("New password again"), "new-password")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        texts = [str(t) for t in password_validation.password_validators_help_texts() if str(t)]
        self.fields["new_password1"].help_text = " ".join(texts)

    def clean(self):
        data = super().clean()
        one, two = data.get("new_password1"), data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two new passwords differ."))
        if one and data.get("current_password") and one == data["current_password"]:
            self.add_error("new_password1", _("The new password must differ from the current one."))
        return data


# --- 三员 administration -----------------------------------------------------------------------------
def _region_choices():
    from shian.core.choices import RegionLevel
    from shian.core.models import Region

    # the city, its districts and streets (a grid is no one's whole area)
    return Region.objects.filter(level__lte=RegionLevel.STREET).order_by("path")


def _role_choices():
    from shian.core.choices import Role

    from .admin_services import ASSIGNABLE_ROLES

    labels = dict(Role.choices)
    return [("", "—")] + [(r, labels[r]) for r in ASSIGNABLE_ROLES]


class AccountCreateForm(forms.Form):
    """The system administrator's new account: who, and the role and region asked for (the security
    administrator confirms them)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    requested_role = forms.ChoiceField(label=_("Requested role"), choices=())
    requested_region = forms.ModelChoiceField(label=_("Requested region"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_role"].choices = _role_choices()
        self.fields["requested_region"].queryset = _region_choices()


class AuthoriseForm(forms.Form):
    """The security administrator's decision: the role and region the account gets."""

    role = forms.ChoiceField(label=_("Role"), choices=())
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices()
        self.fields["region"].queryset = _region_choices()


def errors_into(form: forms.Form, exc) -> None:
    """A service's ValidationError onto the form, on the field it names (else on the form)."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)
