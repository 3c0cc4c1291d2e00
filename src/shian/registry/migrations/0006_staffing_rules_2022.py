"""The full 两员 rule set (issue 9 item 4): rows can name a required attribute (special foods, chain
headquarters, outsourced canteen) and say whether a diners threshold counts the number itself (以上) or
not (超过). Adds the categories the 2022 provisions and the 2025 canteen rules name, corrects central
kitchens to "more than 1000", and recomputes every business's staffing state under the new rules.

The recomputation is frozen here (historical models have no methods); it mirrors
``StaffingRule.applies_to`` and ``services.staffing_refresh`` as of this migration."""

from collections import defaultdict

from django.db import migrations, models

from shian.registry import search

ORDER60 = "《企业落实食品安全主体责任监督管理规定》（市场监管总局令第60号，2022年公布，2025年修订）"
CANTEENS = "《集中用餐单位落实食品安全主体责任监督管理规定》（市场监管总局，2025年，2025年4月15日起施行）"
EVERY_OFFICER = "：每个单位均应配备食品安全员"

# (business_type, role, required_attribute, min_scale, min_diners, comparison, source)
NEW_RULES = [
    ("production", "director", "special_food", None, None, "gte", ORDER60 + "：特殊食品生产企业"),
    ("sales", "director", "chain_headquarters", None, None, "gte", ORDER60 + "：连锁销售企业总部"),
    ("catering", "director", "chain_headquarters", None, None, "gte", ORDER60 + "：连锁餐饮企业总部"),
    ("takeout", "director", "chain_headquarters", None, None, "gte", ORDER60 + "：连锁餐饮企业总部"),
    ("kindergarten_canteen", "officer", "", None, None, "gte", CANTEENS + EVERY_OFFICER),
    (
        "kindergarten_canteen", "director", "", None, 300, "gte",
        CANTEENS + "：幼儿园食堂每餐次平均用餐人数300人以上",
    ),
    (
        "kindergarten_canteen", "director", "canteen_outsourced", None, 300, "gte",
        CANTEENS + "：幼儿园食堂委托承包经营的，幼儿园自身也应配备食品安全总监（双食品安全总监），"
        "每餐次平均用餐人数300人以上",
    ),
    (
        "school_canteen", "director", "canteen_outsourced", None, 500, "gte",
        CANTEENS + "：学校食堂委托承包经营的，学校自身也应配备食品安全总监（双食品安全总监），"
        "每餐次平均用餐人数500人以上",
    ),
    ("other_canteen", "officer", "", None, None, "gte", CANTEENS + EVERY_OFFICER),
    (
        "other_canteen", "director", "", None, 1000, "gte",
        CANTEENS + "：其他单位食堂每餐次平均用餐人数1000人以上",
    ),
    ("group_meal", "officer", "", None, None, "gte", ORDER60 + EVERY_OFFICER),
    (
        "group_meal", "director", "", None, 1000, "gte",
        CANTEENS + "：供餐单位每餐次供餐人数1000人以上（严于第60号令对集体用餐配送单位“超过1000人”的规定）",
    ),
    ("group_meal", "director", "", 2, None, "gte", ORDER60 + "：大中型餐饮服务企业"),
]
CENTRAL_KITCHEN_SOURCE = ORDER60 + "：中央厨房供餐人数超过1000人（“超过”不含1000人本数）"
# the text 0002 seeded (English; 0007_sources_zh rewrites the other 0002 texts)
OLD_CENTRAL_KITCHEN_SOURCE = (
    "SAMR Order 60 (2022, rev. 2025) 企业落实食品安全主体责任监督管理规定: central kitchens and meal-delivery units "
    "serving > 1000"
)
ATTRIBUTES = ["special_food", "chain_headquarters", "canteen_outsourced"]


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


def recompute(apps) -> None:
    Business = apps.get_model("registry", "Business")
    Staff = apps.get_model("registry", "Staff")
    StaffingRule = apps.get_model("registry", "StaffingRule")
    rules = list(StaffingRule.objects.filter(active=True))
    present = defaultdict(set)
    for business_id, role in Staff.objects.filter(active=True).values_list("business_id", "role").iterator(5000):
        present[business_id].add(role)
    rows = Business.objects.values_list(
        "pk", "type", "scale", "diners_per_meal", "staffing_complete", "staffing_missing", *ATTRIBUTES
    )
    changed = []
    for pk, btype, scale, diners, was_complete, was_missing, *flags in rows.iterator(5000):
        attributes = {name for name, on in zip(ATTRIBUTES, flags, strict=True) if on}
        roles = {r.role for r in rules if _applies(r, btype, scale, diners, attributes)}
        missing = ",".join(r for r in ("director", "officer") if r in roles and r not in present.get(pk, ()))
        if (not missing) != was_complete or missing != was_missing:
            changed.append(Business(pk=pk, staffing_complete=not missing, staffing_missing=missing))
    Business.objects.bulk_update(changed, ["staffing_complete", "staffing_missing"], batch_size=2000)


def forwards(apps, schema_editor):
    StaffingRule = apps.get_model("registry", "StaffingRule")
    StaffingRule.objects.filter(
        business_type="central_kitchen", role="director", required_attribute="", min_diners=1000
    ).update(diners_comparison="gt", source=CENTRAL_KITCHEN_SOURCE)
    for btype, role, attribute, scale, diners, comparison, source in NEW_RULES:
        StaffingRule.objects.get_or_create(
            business_type=btype,
            role=role,
            required_attribute=attribute,
            min_scale=scale,
            min_diners=diners,
            defaults={"diners_comparison": comparison, "source": source},
        )
    recompute(apps)


def backwards(apps, schema_editor):
    StaffingRule = apps.get_model("registry", "StaffingRule")
    for btype, role, attribute, scale, diners, _comparison, source in NEW_RULES:
        StaffingRule.objects.filter(
            business_type=btype, role=role, required_attribute=attribute, min_scale=scale, min_diners=diners,
            source=source,
        ).delete()
    StaffingRule.objects.filter(business_type="central_kitchen", source=CENTRAL_KITCHEN_SOURCE).update(
        diners_comparison="gte", source=OLD_CENTRAL_KITCHEN_SOURCE
    )
    recompute(apps)


def reinstall_search_index(apps, schema_editor):
    """0005 rebuilt registry_business on SQLite (AddField/AlterField), which dropped the search
    triggers installed by 0003; put them back (idempotent; see registry/search.py)."""
    search.install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_business_types_and_attributes")]

    operations = [
        migrations.AlterModelOptions(
            name="staffingrule",
            options={
                "ordering": ["business_type", "role", "required_attribute", "min_scale", "min_diners"],
                "verbose_name": "staffing rule",
                "verbose_name_plural": "staffing rules",
            },
        ),
        migrations.AddField(
            model_name="staffingrule",
            name="diners_comparison",
            field=models.CharField(
                choices=[
                    ("gte", "at least (≥, the number itself counts: 以上)"),
                    ("gt", "more than (>, the number itself does not count: 超过)"),
                ],
                default="gte",
                max_length=3,
                verbose_name="diners comparison",
            ),
        ),
        migrations.AddField(
            model_name="staffingrule",
            name="required_attribute",
            field=models.CharField(
                blank=True,
                choices=[
                    ("special_food", "special foods"),
                    ("chain_headquarters", "chain headquarters"),
                    ("canteen_outsourced", "canteen outsourced"),
                ],
                default="",
                help_text="Leave blank for every business of the type.",
                max_length=24,
                verbose_name="only when the business has",
            ),
        ),
        migrations.AlterField(
            model_name="staffingrule",
            name="min_diners",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="diners per meal threshold"),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(reinstall_search_index, migrations.RunPython.noop),
    ]
