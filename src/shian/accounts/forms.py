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
