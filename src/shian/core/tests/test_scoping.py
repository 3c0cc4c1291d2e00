import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from shian.core.choices import AuditAction, Role
from shian.core.models import AuditEntry, Region
from shian.core.scoping import CHANGE, VIEW, assert_in_scope, get_object_for_user
from shian.core.tests.factories import UserFactory


def test_region_subtree(users, city):
    seen = set(Region.objects.restrict(users["haishu"]).values_list("code", flat=True))
    assert seen == {"330203", "330203001", "330203001001"}
    assert Region.objects.restrict(users["admin"]).count() == 7


def test_user_without_grant_sees_nothing(users):
    assert not Region.objects.restrict(users["public"]).exists()


def test_regional_role_without_region_sees_nothing(city):
    orphan = UserFactory(role=Role.DISTRICT_REGULATOR, region=None)
    assert not Region.objects.restrict(orphan).exists()


def test_superuser_without_region_sees_all(city):
    root = UserFactory(role=Role.PUBLIC, is_superuser=True)
    assert Region.objects.restrict(root).count() == 7


def test_inactive_user_sees_nothing(users):
    users["admin"].is_active = False
    assert not Region.objects.restrict(users["admin"]).exists()


def test_get_object_for_user_404_for_missing_and_forbidden_and_audits_forbidden(users, city):
    with pytest.raises(Http404):
        get_object_for_user(Region, users["haishu"], VIEW, pk=city["jiangbei"].pk)
    with pytest.raises(Http404):
        get_object_for_user(Region, users["haishu"], VIEW, pk=999999)
    denied = AuditEntry.objects.filter(action=AuditAction.DENIED, actor=users["haishu"])
    assert denied.count() == 1
    assert denied.get().object_id == str(city["jiangbei"].pk)


def test_assert_in_scope(users, city):
    assert_in_scope(users["haishu"], city["haishu_grid"], VIEW)
    assert_in_scope(None, city["jiangbei"], CHANGE)  # the system itself
    with pytest.raises(PermissionDenied):
        assert_in_scope(users["haishu"], city["jiangbei"], VIEW)
