"""Scoping: the one mechanism that decides which rows a user may see or change.

Every list, detail, form, export and API endpoint gets its rows from ``Model.objects.restrict(user,
action)`` (or ``get_object_for_user``), never from an unfiltered manager. Two questions are asked:

1. *May this role do this action on this kind of object?* — the grant table, filled by each app at
   start-up through :func:`grant` (core knows no domain models).
2. *Which rows?* — the user's scope. A region-scoped user sees rows whose region lies in their region's
   subtree (a prefix match on the materialised path); a business-scoped user sees rows of their one
   business. A model says how to reach those from itself with class attributes:
   ``scope_region_lookup`` (path to a Region, "" for Region itself) or, faster on hot tables,
   ``scope_path_lookup`` (path to a denormalised copy of the region's materialised path), and
   ``scope_business_lookup`` (path to the business's primary key). Rows that belong to one account
   (API tokens) name it with ``scope_owner_lookup``: everyone sees only their own. City-wide
   configuration (rule tables, checklists) says ``scope_city_wide = True`` and is read through a grant.

``core.policy`` is the public face of this module: views, API handlers, services and templates ask it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from .choices import BUSINESS_ROLES

if TYPE_CHECKING:
    from .models import User

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})  # besides these, a kind may name its own steps

# role -> model label ("registry.business") -> actions
_GRANTS: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

# roles whose scope is one business rather than a region subtree
BUSINESS_SCOPED_ROLES = frozenset(BUSINESS_ROLES)


def grant(roles: list[str] | tuple[str, ...], model_label: str, actions: set[str] | frozenset[str]) -> None:
    """Let ``roles`` do ``actions`` on ``model_label`` (within their scope). Called from AppConfig.ready."""
    bad = [a for a in actions if not str(a).replace("_", "").isalnum()]
    if bad:
        raise ValueError(f"actions are plain names, not {bad}")
    for role in roles:
        _GRANTS[str(role)][model_label.lower()] |= set(actions)


def grants() -> dict[str, dict[str, frozenset[str]]]:
    """A read-only copy of the grants registry: role → model label → actions (the permission-matrix page)."""
    return {role: {label: frozenset(actions) for label, actions in kinds.items()} for role, kinds in _GRANTS.items()}


def role_may(user: User, action: str, model: type[models.Model] | str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    label = model if isinstance(model, str) else model._meta.label_lower
    return action in _GRANTS.get(user.role, {}).get(label.lower(), set())


# --- the account → business link ---------------------------------------------------------------
# A business's own staff act for one business. The link lives in ``registry`` (core knows no later
# app): registry registers how to read and write it, and ``User.business`` / ``User.business_id``
# read it through here (once per user object, then cached on it).
_BUSINESS_LINK: dict[str, Any] = {}
_CACHE = "_shian_business"


def register_business_link(*, get: Any, get_many: Any, set_: Any) -> None:
    """``get(user) -> business | None``, ``get_many(user_ids) -> {user_id: business}``,
    ``set_(user, business | None)``. Called by the registry app at start-up."""
    _BUSINESS_LINK.update(get=get, get_many=get_many, set=set_)


def business_of(user: Any) -> Any:
    if user is None or getattr(user, "pk", None) is None or "get" not in _BUSINESS_LINK:
        return getattr(user, _CACHE, None)
    if not hasattr(user, _CACHE):
        setattr(user, _CACHE, _BUSINESS_LINK["get"](user) if user.role in BUSINESS_SCOPED_ROLES else None)
    return getattr(user, _CACHE)


def businesses_of(users: list[Any]) -> None:
    """Read the business of many accounts in one query (for lists of actors)."""
    missing = [u for u in users if u is not None and u.pk is not None and not hasattr(u, _CACHE)]
    if missing and "get_many" in _BUSINESS_LINK:
        found = _BUSINESS_LINK["get_many"]([u.pk for u in missing])
        for u in missing:
            setattr(u, _CACHE, found.get(u.pk))


def link_business(user: Any, business: Any) -> None:
    """Make ``user`` act for ``business`` (None: for none)."""
    _BUSINESS_LINK["set"](user, business)
    setattr(user, _CACHE, business)


def scope_kind(user: User) -> str:
    """ "business" (a business's own staff), "region" (officials), "all" (a superuser without a region)
    or "none" (anonymous, inactive, or a role whose module has not given it a scope yet)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return "none"
    if user.role in BUSINESS_SCOPED_ROLES:
        return "business" if user.business_id is not None else "none"
    if user.region_id is not None:
        return "region"
    return "all" if user.is_superuser else "none"


def scope_q(model: type[models.Model], user: User) -> Q | None:
    """The filter that keeps ``user``'s rows of ``model``; ``None`` means every row. Raises
    ``LookupError`` when the user has no scope the model can be reached from."""
    owner = getattr(model, "scope_owner_lookup", None)
    if owner is not None:
        return Q(**{owner: user.pk})
    if getattr(model, "scope_city_wide", False):
        return None
    if user.role in BUSINESS_SCOPED_ROLES:
        lookup = getattr(model, "scope_business_lookup", None)
        if lookup is None or user.business_id is None:
            raise LookupError("no business scope")
        return Q(**{lookup: user.business_id})
    if user.region_id is None:
        if user.is_superuser:
            return None
        raise LookupError("no region scope")
    path_lookup = getattr(model, "scope_path_lookup", None)
    if path_lookup:
        return Q(**{f"{path_lookup}__startswith": user.region.path})
    lookup = getattr(model, "scope_region_lookup", None)
    if lookup is None:
        raise LookupError("model has no region lookup")
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    return Q(**{field: user.region.path})


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user: User, action: str = VIEW) -> ScopedQuerySet:
        if not role_may(user, action, self.model):
            return self.none()
        try:
            q = scope_q(self.model, user)
        except LookupError:
            return self.none()
        return self if q is None else self.filter(q)


def get_object_for_user(queryset: Any, user: User, action: str = VIEW, **lookup: Any) -> Any:
    """Fetch one object the user may act on. Missing and forbidden give the same 404; a forbidden
    attempt on an existing object is written to the audit log."""
    manager = queryset if isinstance(queryset, models.QuerySet) else queryset._default_manager.all()
    try:
        return manager.restrict(user, action).get(**lookup)
    except (manager.model.DoesNotExist, ValueError, TypeError):
        try:
            existing = manager.model._default_manager.filter(**lookup).first()
        except (ValueError, TypeError):  # a junk id: nothing to find, nothing to record
            existing = None
        if existing is not None:
            from .audit import audit_denied

            audit_denied(actor=user, obj=existing, action=action)
        raise Http404("not found") from None


def assert_in_scope(user: User | None, obj: models.Model, action: str) -> None:
    """After a write, inside the service's transaction: the object must still be in the actor's
    scope (a district user cannot move a business into another district). Raises PermissionDenied so
    the surrounding transaction rolls back. ``user=None`` is the system itself (demo, CLI import)."""
    if user is None:
        return
    if not type(obj)._default_manager.all().restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("the object would fall outside your scope")
