"""The visit form: the date, what the official writes besides the checklist, whether to raise a hazard.
The checklist's answers (answer_<id>, note_<id>) are read with core.checklists.answers_from_post."""

from django import forms
from django.utils.translation import gettext_lazy as _


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("visited on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    findings = forms.CharField(
        label=_("Other findings"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_visited_on(self):
        from django.core.exceptions import ValidationError

        from .services import check_visit_day

        day = self.cleaned_data.get("visited_on")
        try:
            check_visit_day(day)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["visited_on"]) from None
        return day

    raise_hazard = forms.BooleanField(label=_("Raise a hazard from these findings"), required=False)
    all_ok = forms.BooleanField(required=False)
