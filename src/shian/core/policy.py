"""The access policy: the one place that answers "may this user do this, to this?".

Three layers, asked in this order (see docs/security.md, "Access policy"):

1. **Grants** — may this *role* do this *action* on this *kind* of object? Each app declares its grants
   once in ``AppConfig.ready`` with :func:`grant`. Actions are the CRUD four (view, add, change, delete)
   or a named step of the kind (``"verify"`` on a hazard, ``"record_visit"`` on a 包保 assignment).
2. **Scope** — which rows? A region-scoped user acts within their region's subtree, a business's staff
   on their one business, an owner on their own rows (``core.scoping`` builds the filter from the
   model's ``scope_*_lookup`` attributes). An object outside the scope is *not found* (404), so its
   existence is not disclosed.
3. **Object rules** — conditions on one object beyond the scope ("only the assigned official records
   visits"), declared with :func:`rule`. A failed rule is *forbidden* (403) with the rule's message.

Views and API handlers declare what they do with :func:`operation`; the decorator refuses a role
without the grant before the handler runs, and the generated permission matrix
(``core/tests/test_permission_matrix.py``) reads the declaration to test every route and operation.
Services call :func:`check` for the object-level answer, so no caller can bypass it. Templates ask
:func:`may` through the ``{% may %}`` tag; nothing tests roles by hand.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .scoping import ADD, CHANGE, DELETE, VIEW, get_object_for_user, grant, role_may, scope_kind

if TYPE_CHECKING:
    from .models import User

__all__ = [
    "ADD",
    "CHANGE",
    "DELETE",
    "VIEW",
    "Operation",
    "check",
    "check_kind",
    "get_object_for_user",
    "grant",
    "is_business_scoped",
    "is_regional",
    "may",
    "operation",
    "rule",
    "scope_kind",
]


@dataclass(frozen=True)
class Rule:
    predicate: Callable[[Any, Any], bool]  # (user, obj) -> bool
    message: Any


_RULES: dict[tuple[str, str], list[Rule]] = defaultdict(list)


def label_of(target: models.Model | type[models.Model] | str) -> str:
    if isinstance(target, str):
        return target.lower()
    return target._meta.label_lower


def rule(model_label: str, action: str, predicate: Callable[[Any, Any], bool], message: Any) -> None:
    """An object rule: ``action`` on an object of ``model_label`` also needs ``predicate(user, obj)``."""
    _RULES[(model_label.lower(), action)].append(Rule(predicate, message))


def _failed_rule(user: User, action: str, obj: models.Model) -> Rule | None:
    if user.is_superuser:
        return None
    for r in _RULES.get((label_of(obj), action), ()):
        if not r.predicate(user, obj):
            return r
    return None


def in_scope(user: User, obj: models.Model, action: str = VIEW) -> bool:
    manager = type(obj)._default_manager.all()
    return manager.restrict(user, action).filter(pk=obj.pk).exists()


def may(user: User, action: str, target: models.Model | type[models.Model] | str) -> bool:
    """The answer, as a boolean: the grant, and for an object also its scope and its rules."""
    if not role_may(user, action, label_of(target)):
        return False
    if isinstance(target, models.Model):
        return in_scope(user, target, action) and _failed_rule(user, action, target) is None
    return True


def check_kind(user: User, action: str, target: models.Model | type[models.Model] | str) -> None:
    """Raise PermissionDenied (403) unless the user's role holds the grant."""
    if not role_may(user, action, label_of(target)):
        name = target if isinstance(target, str) else target._meta.verbose_name_plural
        raise PermissionDenied(f"your role may not {action} {name}")


def check(user: User | None, action: str, target: models.Model | type[models.Model] | str) -> None:
    """For services: raise unless ``user`` may. ``None`` is the system itself (demo, CLI, nightly jobs).
    Out of scope raises Http404 (existence is not disclosed), a missing grant or a failed rule 403."""
    if user is None:
        return
    check_kind(user, action, target)
    if isinstance(target, models.Model):
        if target.pk is not None and not in_scope(user, target, action):
            raise Http404("not found")
        failed = _failed_rule(user, action, target)
        if failed is not None:
            raise PermissionDenied(str(failed.message))


def is_business_scoped(user: User) -> bool:
    return scope_kind(user) == "business"


def is_regional(user: User) -> bool:
    return scope_kind(user) in {"region", "all"}


# --- declared operations ----------------------------------------------------------------------
PUBLIC = "public"  # no login (login page, service worker)
SIGNED_IN = "signed_in"  # any logged-in user, acting on their own account or their own scope's summary


@dataclass(frozen=True)
class Operation:
    """What a view or API handler does: ``action`` on ``model`` (a label), or PUBLIC / SIGNED_IN.
    ``obj`` maps the route's parameters to the model of the object each names (``{"pk":
    "registry.business"}``); ``body`` likewise for ids sent in a JSON body. ``write`` says whether it
    changes data (the matrix checks that a refused write changed nothing)."""

    action: str
    model: str | None = None
    obj: dict[str, str] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    write: bool = False


def _normalise_obj(model: str | None, obj: str | dict[str, str] | None) -> dict[str, str]:
    if obj is None:
        return {}
    if isinstance(obj, str):
        return {obj: model or ""}
    return {k: v.lower() for k, v in obj.items()}


def operation(
    action: str,
    model: str | None = None,
    *,
    obj: str | dict[str, str] | None = None,
    body: dict[str, str] | None = None,
    write: bool | None = None,
) -> Callable:
    """Declare and enforce what a view/API handler does.

    ``@operation(VIEW, "registry.business", obj="pk")`` — the route's ``pk`` names a business; the
    handler runs only for roles granted ``view`` on businesses (others get 403) and must fetch the
    object with :func:`get_object_for_user` (404 out of scope). ``@operation(PUBLIC)`` needs no login;
    ``@operation(SIGNED_IN)`` any login. Anonymous page requests are sent to the login page."""
    label = model.lower() if model else None
    declared = Operation(
        action=action,
        model=label,
        obj=_normalise_obj(label, obj),
        body={k: v.lower() for k, v in (body or {}).items()},
        write=(action not in {VIEW, PUBLIC, SIGNED_IN}) if write is None else write,
    )
    if action not in {PUBLIC, SIGNED_IN} and label is None:
        raise ValueError("an operation on data names its model")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if action != PUBLIC:
                user = request.user
                if not getattr(user, "is_authenticated", False):
                    if request.path.startswith("/api/"):
                        raise PermissionDenied("authentication required")
                    return redirect_to_login(request.get_full_path())
                if action != SIGNED_IN:
                    try:
                        check_kind(user, action, label)
                    except PermissionDenied:
                        request.shian_refused = (action, label)  # the 403 is audited (RequestContextMiddleware)
                        raise
            return view(request, *args, **kwargs)

        wrapper.shian_operation = declared
        return wrapper

    return decorate


def declared_operation(func: Callable) -> Operation | None:
    """The declaration of a view or handler, looking through wrappers (csrf_exempt, require_POST …)."""
    seen = set()
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        op = getattr(func, "shian_operation", None)
        if op is not None:
            return op
        func = getattr(func, "__wrapped__", None)
    return None
