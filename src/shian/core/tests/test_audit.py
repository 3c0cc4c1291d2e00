import pytest
from django.db import DatabaseError, connection, transaction

from shian.core.audit import audit
from shian.core.choices import AuditAction
from shian.core.models import AuditEntry


@pytest.fixture
def entry(users, city):
    return audit(actor=users["admin"], action=AuditAction.UPDATE, obj=city["haishu"], changes={"name": ["a", "b"]})


def test_entry_records_who_what_when(entry, users):
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == users["admin"]
    assert stored.actor_name == "admin"
    assert stored.object_type == "core.region"
    assert stored.changes == {"name": ["a", "b"]}
    assert stored.source == "system"
    assert stored.at is not None


def test_model_refuses_update_and_delete(entry):
    entry.note = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_queryset_refuses_bulk_update_and_delete(entry):
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="tampered")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.parametrize("sql", ["UPDATE core_auditentry SET note = 'x'", "DELETE FROM core_auditentry"])
def test_database_refuses_raw_update_and_delete(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).note == ""
