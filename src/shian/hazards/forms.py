from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shian.core.limits import TEXT_MAX_LENGTH
from shian.core.validators import validate_deadline, validate_recorded_day

from .choices import DeclineGround, Severity
from .models import CaseLead, Incident
from .services import EVIDENCE_MAX_FILES, check_evidence_file

EVIDENCE_ACCEPT = "image/jpeg,image/png,application/pdf"


class HazardForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=TEXT_MAX_LENGTH
    )
    found_on = forms.DateField(label=_("found on"), widget=forms.DateInput(attrs={"type": "date"}), required=False)

    def clean_found_on(self):
        return _within(self.cleaned_data.get("found_on"), validate_recorded_day, "found_on")


def _within(value, check, field: str):
    """``value`` when ``check`` (a core.validators date check) accepts it; its message as the field's error."""
    try:
        check(value, field=field)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict[field]) from None
    return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several photos or PDFs in one input; each is checked by its content and size."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > EVIDENCE_MAX_FILES:
            raise ValidationError(_("Send at most %(n)d files with one step.") % {"n": EVIDENCE_MAX_FILES})
        single = super().clean
        files = [single(f, initial) for f in files]
        errors = []
        for upload in files:
            try:
                check_evidence_file(upload)
            except ValidationError as exc:
                errors.extend(exc.message_dict.get("file", exc.messages))
        if errors:
            raise ValidationError(errors)
        return files


class StepForm(forms.Form):
    """The hazard page's one action panel: the step is the button pressed (``action``); the fields a
    step needs are checked for that step only, each with its own error."""

    action = forms.ChoiceField(
        error_messages={
            "required": _("Choose a step."),
            "invalid_choice": _("That step is not open to you now; the page has been refreshed."),
        }
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    deadline = forms.DateField(
        label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
    )
    order_text = forms.CharField(
        label=_("rectification order"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
    file = EvidenceFilesField(label=_("Photos or PDF"), required=False)

    def __init__(self, *args, panel, hazard, **kwargs):
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.hazard = hazard
        self.fields["action"].choices = [(s.action, s.label) for s in panel.steps]

    def clean(self):
        data = super().clean()
        step = self.panel.step(data.get("action") or "")
        if step is None:
            return data
        if step.needs_note and not (data.get("note") or "").strip() and "note" not in self.errors:
            self.add_error("note", _("“%(step)s” needs a note: say why.") % {"step": step.label})
        if step.sets_deadline:
            deadline = data.get("deadline")
            if deadline is None and "deadline" not in self.errors:
                self.add_error("deadline", _("Set the deadline for “%(step)s”.") % {"step": step.label})
            elif deadline is not None and deadline < timezone.localdate():
                self.add_error("deadline", _("The deadline cannot be in the past."))
            elif deadline is not None and "deadline" not in self.errors:
                try:
                    _within(deadline, validate_deadline, "deadline")
                except ValidationError as exc:
                    self.add_error("deadline", exc)
            if not (data.get("order_text") or "").strip() and "order_text" not in self.errors:
                self.add_error("order_text", _("Say what must be rectified."))
        else:  # not shown for this step: nothing of them is kept
            data["deadline"], data["order_text"] = None, ""
        files = data.get("file") or []
        if step.needs_evidence and not files and "file" not in self.errors and not self.hazard.evidence.exists():
            self.add_error(
                "file", _("“%(step)s” needs at least one photo or PDF: attach it here.") % {"step": step.label}
            )
        if files and not step.needs_evidence:
            self.add_error(
                "file",
                _("Files go with “%(steps)s”, not with “%(step)s”.")
                % {"steps": self.panel.evidence_for or "—", "step": step.label},
            )
        return data

    def add_service_error(self, exc: ValidationError) -> None:
        """A refusal from the service, on the field it names (or the whole form)."""
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                self.add_error(name if name in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)


def _add_service_error(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class ReferForm(forms.Form):
    """Refer a hazard as a case lead (移送): what a case would be opened on."""

    detail = forms.CharField(
        label=_("facts of the lead"),
        max_length=CaseLead._meta.get_field("detail").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    add_service_error = _add_service_error


class LeadDecisionForm(forms.Form):
    """Decide an open case lead: the button pressed is the decision (accept: 立案 with the approval;
    decline: 不予立案 with the ground and the reason); each decision's fields are checked for it only."""

    action = forms.ChoiceField(
        error_messages={
            "required": _("Choose: open a case or not."),
            "invalid_choice": _("That decision is not open to you now; the page has been refreshed."),
        }
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
    approver = forms.CharField(
        label=_("approved by (head of the bureau)"),
        max_length=CaseLead._meta.get_field("approver").max_length,
        required=False,
    )
    approved_on = forms.DateField(
        label=_("approval date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False
    )
    case_number = forms.CharField(
        label=_("case number"), max_length=CaseLead._meta.get_field("case_number").max_length, required=False
    )
    ground = forms.ChoiceField(label=_("ground"), choices=[("", "—"), *DeclineGround.choices], required=False)
    reason = forms.CharField(
        label=_("reason for not opening a case"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=TEXT_MAX_LENGTH,
    )

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.steps = {s.action: s for s in steps}
        self.fields["action"].choices = [(s.action, s.label) for s in steps]

    def clean(self):
        data = super().clean()
        step = self.steps.get(data.get("action") or "")
        if step is None:
            return data
        if step.needs_approval:
            if not (data.get("approver") or "").strip() and "approver" not in self.errors:
                self.add_error("approver", _("Name the head of the bureau who approved opening the case (立案审批)."))
            if data.get("approved_on") is None and "approved_on" not in self.errors:
                self.add_error("approved_on", _("Give the date the case was approved."))
        if step.needs_reason:
            if not data.get("ground") and "ground" not in self.errors:
                self.add_error("ground", _("Choose the ground for not opening a case."))
            if not (data.get("reason") or "").strip() and "reason" not in self.errors:
                self.add_error("reason", _("Say why no case is opened."))
        return data

    add_service_error = _add_service_error


class IncidentForm(forms.ModelForm):
    """The fields of a food-safety incident (the service records it; the form never saves)."""

    class Meta:
        model = Incident
        fields = ["occurred_on", "title", "description", "diners_affected", "ill_count", "level", "source"]
        widgets = {
            "occurred_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].max_length = TEXT_MAX_LENGTH
        self.fields["description"].validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
        self.fields["description"].widget.attrs["maxlength"] = str(TEXT_MAX_LENGTH)

    add_service_error = _add_service_error
