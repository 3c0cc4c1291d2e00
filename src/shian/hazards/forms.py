from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Severity


class HazardForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    found_on = forms.DateField(label=_("found on"), widget=forms.DateInput(attrs={"type": "date"}), required=False)


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}), required=False)
    order_text = forms.CharField(
        label=_("rectification order"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo or PDF (at most 10 MB)"))
    note = forms.CharField(label=_("note"), max_length=255, required=False)
