import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shian.core.choices import AuditAction
from shian.core.models import AuditEntry
from shian.registry import services
from shian.registry.choices import BusinessType, Scale, StaffRole
from shian.registry.models import Business, Licence, Staff
from shian.registry.tests.factories import uscc_for


def _data(city, **extra):
    return {
        "name": "新开面馆",
        "uscc": uscc_for(77),
        "type": BusinessType.CATERING,
        "address": "海曙区某路1号",
        "region": city["haishu_grid"],
    } | extra


def _entries(obj):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")


def test_create_audits_and_evaluates_staffing(users, city):
    business = services.business_create(actor=users["haishu"], **_data(city))
    entry = _entries(business).get()
    assert entry.action == AuditAction.CREATE
    assert entry.actor == users["haishu"]
    assert entry.changes["name"] == [None, "新开面馆"]
    # a small caterer must have an officer, and has none yet
    assert business.staffing_complete is False
    assert business.staffing_missing == "officer"


def test_create_outside_scope_refused_and_nothing_written(users, city):
    with pytest.raises(ValidationError) as exc:
        services.business_create(actor=users["haishu"], **_data(city, region=city["jiangbei_grid"]))
    assert "region" in exc.value.message_dict
    assert not Business.objects.exists()
    assert not AuditEntry.objects.filter(object_type="registry.business").exists()


def test_invalid_uscc_names_the_field(users, city):
    with pytest.raises(ValidationError) as exc:
        services.business_create(actor=users["haishu"], **_data(city, uscc="91350100M000100Y44"))
    assert "uscc" in exc.value.message_dict


def test_duplicate_uscc_refused(users, city, haishu_shop):
    with pytest.raises(ValidationError) as exc:
        services.business_create(actor=users["haishu"], **_data(city, uscc=haishu_shop.uscc))
    assert "uscc" in exc.value.message_dict


def test_update_records_before_and_after(users, haishu_shop):
    services.business_update(actor=users["haishu"], business=haishu_shop, name="海曙老王面馆（新址）")
    entry = _entries(haishu_shop).last()
    assert entry.action == AuditAction.UPDATE
    assert entry.changes == {"name": ["海曙老王面馆", "海曙老王面馆（新址）"]}
    haishu_shop.refresh_from_db()
    assert haishu_shop.version == 2


def test_update_without_change_writes_nothing(users, haishu_shop):
    services.business_update(actor=users["haishu"], business=haishu_shop, name=haishu_shop.name)
    assert not _entries(haishu_shop).exists()


def test_stale_version_is_a_conflict(users, haishu_shop):
    services.business_update(actor=users["haishu"], business=haishu_shop, expected_version=1, name="A")
    with pytest.raises(services.ConflictError):
        services.business_update(actor=users["haishu"], business=haishu_shop, expected_version=1, name="B")
    haishu_shop.refresh_from_db()
    assert haishu_shop.name == "A"


def test_moving_business_out_of_scope_refused(users, haishu_shop, city):
    with pytest.raises(ValidationError):
        services.business_update(actor=users["haishu"], business=haishu_shop, region=city["jiangbei_grid"])
    haishu_shop.refresh_from_db()
    assert haishu_shop.region == city["haishu_grid"]


def test_street_officer_cannot_create_in_other_street_of_district(users, city):
    other_street = city["haishu"].children.create(code="330203002", name="另一街道", level=3)
    with pytest.raises(ValidationError):
        services.business_create(actor=users["street"], **_data(city, region=other_street))


def test_delete_audits_children(users, haishu_shop):
    business_id, licence_id = haishu_shop.pk, haishu_shop.licences.get().pk
    services.business_delete(actor=users["haishu"], business=haishu_shop)
    assert not Business.objects.filter(pk=business_id).exists()
    assert not Licence.objects.filter(pk=licence_id).exists()
    deleted = AuditEntry.objects.filter(action=AuditAction.DELETE)
    assert deleted.get(object_type="registry.business", object_id=str(business_id)).changes["name"] == [
        "海曙老王面馆",
        None,
    ]
    assert deleted.filter(object_type="registry.licence", object_id=str(licence_id)).exists()


def test_delete_refused_while_accounts_exist(users, haishu_shop, shop_user):
    with pytest.raises(ValidationError):
        services.business_delete(actor=users["haishu"], business=haishu_shop)
    assert Business.objects.filter(pk=haishu_shop.pk).exists()


def test_staff_changes_refresh_staffing(users, haishu_shop):
    services.staffing_refresh()
    haishu_shop.refresh_from_db()
    assert haishu_shop.staffing_complete  # small caterer with an officer
    officer = haishu_shop.staff.get()
    services.staff_update(actor=users["haishu"], staff=officer, active=False)
    haishu_shop.refresh_from_db()
    assert not haishu_shop.staffing_complete
    services.staff_delete(actor=users["haishu"], staff=officer)
    assert not Staff.objects.filter(pk=officer.pk).exists()


def test_scale_change_requires_director(users, haishu_shop):
    business = services.business_update(actor=users["haishu"], business=haishu_shop, scale=Scale.MEDIUM)
    assert business.staffing_missing == "director"
    services.staff_create(actor=users["haishu"], business=business, role=StaffRole.DIRECTOR, name="总监甲")
    business.refresh_from_db()
    assert business.staffing_complete


def test_licence_rules(users, haishu_shop):
    with pytest.raises(ValidationError) as exc:
        services.licence_create(
            actor=users["haishu"],
            business=haishu_shop,
            kind="JY",
            number="JY9",
            issued_on="2020-01-01",
            valid_until="2025-01-01",
        )
    assert "number" in exc.value.message_dict
    import datetime as dt

    future = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.licence_create(
            actor=users["haishu"],
            business=haishu_shop,
            kind="JY",
            number="JY23302039999991",
            issued_on=future,
            valid_until=future + dt.timedelta(days=100),
        )
    assert "issued_on" in exc.value.message_dict


def test_business_staff_cannot_write_outside_their_business(shop_user, jiangbei_shop):
    with pytest.raises(PermissionDenied):
        services.staff_create(actor=shop_user, business=jiangbei_shop, role=StaffRole.OFFICER, name="外人")
    assert not jiangbei_shop.staff.filter(name="外人").exists()


def test_region_path_follows_region(users, haishu_shop, city):
    assert haishu_shop.region_path == city["haishu_grid"].path
    business = services.business_update(actor=users["haishu"], business=haishu_shop, region=city["haishu_street"])
    assert business.region_path == city["haishu_street"].path
    assert Business.objects.restrict(users["street"]).filter(pk=business.pk).exists()
    assert not Business.objects.restrict(users["jiangbei"]).filter(pk=business.pk).exists()
