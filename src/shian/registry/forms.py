from django import forms
from django.utils.translation import gettext_lazy as _

from shian.core.selectors import regions_for_user

from .models import Business, Licence, Staff, StaffingRule
from .services import BUSINESS_FIELDS, LICENCE_FIELDS, STAFF_FIELDS


class DateInput(forms.DateInput):
    input_type = "date"


class BusinessForm(forms.ModelForm):
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

    def clean_uscc(self):
        return (self.cleaned_data.get("uscc") or "").strip().upper()

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = LICENCE_FIELDS
        widgets = {"issued_on": DateInput, "valid_until": DateInput}


class StaffForm(forms.ModelForm):
    class Meta:
        model = Staff
        fields = STAFF_FIELDS
        widgets = {"trained_on": DateInput, "assessed_on": DateInput}


class StaffingRuleForm(forms.ModelForm):
    class Meta:
        model = StaffingRule
        fields = ["business_type", "role", "min_scale", "min_diners", "source", "active"]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or UTF-8 .csv)"))
