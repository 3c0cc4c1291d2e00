from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from shian.core import services as core_services
from shian.core.policy import CHANGE, operation

from . import services
from .forms import PasswordChangeForm
from .middleware import MUST_CHANGE, too_many_requests


@operation(CHANGE, "accounts.passwordstate")
def password_change(request):
    """Change one's own password: the current one first (counted by the lockout like a login), then the
    new one, checked against the deployment's password policy. Also the page a forced change sends to."""
    reason = request.session.get(MUST_CHANGE, "")
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = core_services.reauthenticate(
            request=request, user=request.user, password=form.cleaned_data["current_password"]
        )
        if check.user is None:
            if check.status == 429:
                return too_many_requests(request, check.retry_after or 1, check.error)
            form.add_error("current_password", check.error)
            status = 400
        else:
            try:
                services.password_change(user=request.user, new_password=form.cleaned_data["new_password1"])
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                update_session_auth_hash(request, request.user)  # this session stays; the others end
                request.session.pop(MUST_CHANGE, None)
                messages.success(request, _("Your password has been changed."))
                return redirect("core:dashboard")
    elif request.method == "POST":
        status = 400
    context = {
        "form": form,
        "reason_message": services.change_required_message(reason) if reason else "",
    }
    return TemplateResponse(request, "accounts/password_change.html", context, status=status)
