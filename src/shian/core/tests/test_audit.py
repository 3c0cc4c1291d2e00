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


def test_what_the_system_wrote_reads_in_the_viewers_language(users):
    """Entries the system wrote (no user: the nightly job, the demo generator, a command) show their actor,
    source and note in the viewer's language, not the stored keys "system", "cli", "demo city generator"."""
    from django.utils import translation

    from shian.core.audit import lines_for
    from shian.core.context import current_source

    target = users["haishu"]
    token = current_source.set("cli")
    try:
        audit(actor=None, action=AuditAction.UPDATE, obj=target, note="demo city generator")
    finally:
        current_source.reset(token)
    with translation.override("zh-hans"):
        (line,) = [x for x in lines_for(users["admin"], target) if x.note]
        assert (line.actor, line.source, line.note) == ("系统", "命令行", "演示城市生成器")
    with translation.override("en"):
        (line,) = [x for x in lines_for(users["admin"], target) if x.note]
        assert (line.actor, line.source, line.note) == ("the system", "command line", "demo city generator")
