"""Personal data encrypted at rest (issue 10) and the employer of food-safety staff (issue 9, 双总监).

1. ``Staff.phone`` and ``Business.contact_phone`` become encrypted columns (core/fields.py) with a keyed
   hash beside each for exact lookup; ``Staff.id_number`` (身份证号, optional) is added the same way. The
   existing phone numbers are encrypted in place and hashed (``encrypt_existing``); backwards decrypts
   them again.
2. ``Staff.employer`` (the unit itself / the contractor, with the contractor's name) and
   ``StaffingRule.employer``. The 2025 canteen rules: an outsourced school canteen of 500 diners or more
   (kindergarten 300) has a director of the contractor (承包经营企业) *and* one of the school itself
   (双食品安全总监). The 0006 row for the school's own director now says "the unit itself"; rows for the
   contractor's director are added; every business's 两员 state is recomputed. Staff on record are the
   unit's own (the default): the migration does not guess, the staffing page names what is missing.

The recomputation is frozen here, as in 0006 (historical models have no methods)."""

from collections import defaultdict

from django.db import migrations, models

import shian.core.fields
import shian.core.personal
import shian.core.validators
from shian.core import crypto
from shian.core.personal import normalise_phone
from shian.registry import search

CANTEENS = "《集中用餐单位落实食品安全主体责任监督管理规定》（市场监管总局，2025年，2025年4月15日起施行）"
# (business_type, min_diners, source) of the contractor's director at an outsourced canteen
CONTRACTOR_ROWS = [
    (
        "school_canteen",
        500,
        CANTEENS
        + "：每餐次平均用餐人数500人以上的学校食堂的承包经营企业应当配备食品安全总监（双食品安全总监之承包方）",
    ),
    (
        "kindergarten_canteen",
        300,
        CANTEENS
        + "：每餐次平均用餐人数300人以上的幼儿园食堂的承包经营企业应当配备食品安全总监（双食品安全总监之承包方）",
    ),
]
ATTRIBUTES = ["special_food", "chain_headquarters", "canteen_outsourced"]
ORDER = ["director", "director_own", "director_contractor", "officer", "officer_own", "officer_contractor"]
# (table, column, hash column or None, context)
ENCRYPTED = [
    ("registry_staff", "phone", "phone_hash", "registry.staff.phone"),
    ("registry_business", "contact_phone", "contact_phone_hash", "registry.business.contact_phone"),
]


def _rows(schema_editor, table, column):
    qn = schema_editor.quote_name
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {qn(column)} FROM {qn(table)} WHERE {qn(column)} <> ''")  # noqa: S608
        return cursor.fetchall()


def _write(schema_editor, table, column, hash_column, updates):
    qn = schema_editor.quote_name
    sets = f"{qn(column)} = %s" + (f", {qn(hash_column)} = %s" if hash_column else "")
    sql = f"UPDATE {qn(table)} SET {sets} WHERE id = %s"  # noqa: S608 - names from the list above
    with schema_editor.connection.cursor() as cursor:
        for i in range(0, len(updates), 2000):
            cursor.executemany(sql, updates[i : i + 2000])


def encrypt_existing(apps, schema_editor):
    for table, column, hash_column, context in ENCRYPTED:
        updates = [
            (
                crypto.encrypt(value, context=context),
                crypto.keyed_hash(normalise_phone(value), context=context),
                pk,
            )
            for pk, value in _rows(schema_editor, table, column)
            if crypto.parse(value) is None  # not yet encrypted
        ]
        _write(schema_editor, table, column, hash_column, updates)


def decrypt_existing(apps, schema_editor):
    for table, column, _hash_column, context in ENCRYPTED:
        updates = [
            (crypto.decrypt(value, context=context), pk)
            for pk, value in _rows(schema_editor, table, column)
            if crypto.parse(value) is not None
        ]
        _write(schema_editor, table, column, None, updates)


def _applies(rule, btype, scale, diners, attributes) -> bool:
    if rule.business_type != btype:
        return False
    if rule.required_attribute and rule.required_attribute not in attributes:
        return False
    if rule.min_scale is not None and scale < rule.min_scale:
        return False
    if rule.min_diners is not None:
        served = diners or 0
        return served > rule.min_diners if rule.diners_comparison == "gt" else served >= rule.min_diners
    return True


def _key(role, employer):
    return f"{role}_{employer}" if employer else role


def recompute(apps) -> None:
    """Every business's 两员 state under the rules as they stand, reading whose employee each person is."""
    Business = apps.get_model("registry", "Business")
    Staff = apps.get_model("registry", "Staff")
    StaffingRule = apps.get_model("registry", "StaffingRule")
    rules = list(StaffingRule.objects.filter(active=True))
    has_employer = any(f.name == "employer" for f in StaffingRule._meta.get_fields())
    present = defaultdict(set)
    columns = ["business_id", "role"] + (["employer"] if has_employer else [])
    for business_id, role, *employer in Staff.objects.filter(active=True).values_list(*columns).iterator(5000):
        present[business_id] |= {role, _key(role, (employer[0] if employer else "") or "own")}
    rows = Business.objects.values_list(
        "pk", "type", "scale", "diners_per_meal", "staffing_complete", "staffing_missing", *ATTRIBUTES
    )
    changed = []
    for pk, btype, scale, diners, was_complete, was_missing, *flags in rows.iterator(5000):
        attributes = {name for name, on in zip(ATTRIBUTES, flags, strict=True) if on}
        required = {
            _key(r.role, getattr(r, "employer", "")) for r in rules if _applies(r, btype, scale, diners, attributes)
        }
        lacking = [k for k in ORDER if k in required and k not in present.get(pk, ())]
        lacking = [k for k in lacking if "_" in k or not any(m.startswith(f"{k}_") for m in lacking)]
        missing = ",".join(lacking)
        if (not missing) != was_complete or missing != was_missing:
            changed.append(Business(pk=pk, staffing_complete=not missing, staffing_missing=missing))
    Business.objects.bulk_update(changed, ["staffing_complete", "staffing_missing"], batch_size=2000)


def rules_forwards(apps, schema_editor):
    StaffingRule = apps.get_model("registry", "StaffingRule")
    StaffingRule.objects.filter(role="director", required_attribute="canteen_outsourced", employer="").update(
        employer="own"
    )
    for btype, diners, source in CONTRACTOR_ROWS:
        StaffingRule.objects.get_or_create(
            business_type=btype,
            role="director",
            employer="contractor",
            required_attribute="canteen_outsourced",
            min_scale=None,
            min_diners=diners,
            defaults={"diners_comparison": "gte", "source": source},
        )
    recompute(apps)


def rules_backwards(apps, schema_editor):
    StaffingRule = apps.get_model("registry", "StaffingRule")
    for btype, diners, source in CONTRACTOR_ROWS:
        StaffingRule.objects.filter(
            business_type=btype, employer="contractor", min_diners=diners, source=source
        ).delete()
    StaffingRule.objects.filter(role="director", required_attribute="canteen_outsourced", employer="own").update(
        employer=""
    )
    recompute(apps)


def reinstall_search_index(apps, schema_editor):
    """Altering registry_business rebuilds the table on SQLite, which drops the search triggers of 0003;
    put them back (idempotent; see registry/search.py)."""
    search.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_sources_zh")]

    operations = [
        migrations.AddField(
            model_name="business",
            name="contact_phone_hash",
            field=shian.core.fields.KeyedHashField(
                normalise="shian.core.personal.normalise_phone", source="contact_phone"
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="contractor_name",
            field=models.CharField(
                blank=True,
                help_text="The contracted company, when it employs this person.",
                max_length=100,
                verbose_name="contractor",
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="employer",
            field=models.CharField(
                choices=[("own", "The unit itself"), ("contractor", "The contractor")],
                default="own",
                help_text="A canteen run by a contractor has the unit's own director besides the contractor's.",
                max_length=12,
                verbose_name="employed by",
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="id_number",
            field=shian.core.fields.EncryptedTextField(
                blank=True,
                help_text="Resident identity number, commonly recorded for the food-safety director.",
                mask="id_number",
                max_length=18,
                validators=[shian.core.personal.validate_id_number],
                verbose_name="identity number",
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="id_number_hash",
            field=shian.core.fields.KeyedHashField(
                normalise="shian.core.personal.normalise_id_number", source="id_number"
            ),
        ),
        migrations.AddField(
            model_name="staff",
            name="phone_hash",
            field=shian.core.fields.KeyedHashField(normalise="shian.core.personal.normalise_phone", source="phone"),
        ),
        migrations.AddField(
            model_name="staffingrule",
            name="employer",
            field=models.CharField(
                blank=True,
                choices=[("own", "The unit itself"), ("contractor", "The contractor")],
                default="",
                help_text=(
                    "Leave blank for anyone in the role. For a canteen run by a contractor (dual directors): the "
                    "unit itself, or the contractor."
                ),
                max_length=12,
                verbose_name="employed by",
            ),
        ),
        migrations.AlterField(
            model_name="business",
            name="contact_phone",
            field=shian.core.fields.EncryptedTextField(
                blank=True,
                mask="phone",
                max_length=20,
                validators=[shian.core.validators.validate_phone],
                verbose_name="contact phone",
            ),
        ),
        migrations.AlterField(
            model_name="staff",
            name="phone",
            field=shian.core.fields.EncryptedTextField(
                blank=True,
                mask="phone",
                max_length=20,
                validators=[shian.core.validators.validate_phone],
                verbose_name="phone",
            ),
        ),
        migrations.RunPython(encrypt_existing, decrypt_existing),
        migrations.RunPython(rules_forwards, rules_backwards),
        migrations.RunPython(reinstall_search_index, reinstall_search_index),
    ]
