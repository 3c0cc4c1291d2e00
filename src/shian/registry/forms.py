from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from shian.core.fields import MaskedInitialMixin
from shian.core.selectors import regions_for_user
from shian.core.validators import normalise_uscc

from .choices import StaffEmployer
from .models import Business, Licence, Staff, StaffingRule
from .services import BUSINESS_FIELDS, LICENCE_FIELDS, STAFF_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class BusinessForm(MaskedInitialMixin, forms.ModelForm):
    masked_fields = ("contact_phone",)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Business
        fields = BUSINESS_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for_user(user)
        self.fields["region"].label_from_instance = lambda r: "\u3000" * (r.level - 1) + r.name
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        # a code as typed (full-width, with spaces) may be longer than the 18 characters it normalises to:
        # accept it here, normalise in clean_uscc, and let the validator name what is wrong
        uscc = self.fields["uscc"]
        uscc.max_length = 64
        uscc.widget.attrs["maxlength"] = "64"
        uscc.validators = [v for v in uscc.validators if not isinstance(v, MaxLengthValidator)]

    def clean_uscc(self):
        return normalise_uscc(self.cleaned_data.get("uscc"))

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = LICENCE_FIELDS
        widgets = {"issued_on": DateInput, "valid_until": DateInput}


class StaffForm(MaskedInitialMixin, forms.ModelForm):
    masked_fields = ("phone", "id_number")

    class Meta:
        model = Staff
        fields = STAFF_FIELDS
        widgets = {"trained_on": DateInput, "assessed_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].required = False  # not sent: the unit's own, the default

    def clean_employer(self):
        return self.cleaned_data.get("employer") or StaffEmployer.OWN_UNIT


class StaffingRuleForm(forms.ModelForm):
    class Meta:
        model = StaffingRule
        fields = [
            "business_type",
            "required_attribute",
            "role",
            "employer",
            "min_scale",
            "min_diners",
            "diners_comparison",
            "source",
            "active",
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or UTF-8 .csv)"))
