"""Every seeded rule's cited source, and the other seeded rule texts the UI shows, read in Chinese: a Chinese
regulator must not meet "SAMR Order 60 …" or "ShiAn working default …" on a rules page. Checked on the
migrated test database (the seeded rows), so a data migration that seeds English fails here."""

import re

import pytest
from django.apps import apps
from django.db import models

from shian.core.data import food_licences, gb2260, gb32100, ningbo

# Latin letters a Chinese citation keeps: standard and licence codes, grade letters, agency abbreviations
ALLOWED = {"GB", "GB/T", "SC", "JY", "YB", "FSA", "UK", "SAMR", "HACCP"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]")  # two letters or more: A–E grades pass
URL_OR_PATH = re.compile(r"https?://\S+|\S*/\S*")
# fields named "source" that are not citations
NOT_CITATIONS = {("core", "AuditEntry")}  # the request's IP address, 'cli' or 'system'
# other seeded rule texts shown in the UI: (app, model, field)
SHOWN = [
    ("supervision", "RiskRuleSet", "name"),
    ("supervision", "StaticFactor", "note"),
    ("supervision", "DynamicFactor", "note"),
    ("supervision", "GradeBand", "label"),
    ("supervision", "KeySupervisionRule", "label"),
    ("inspections", "ChecklistTemplate", "name"),
    ("inspections", "ChecklistItem", "section"),
    ("inspections", "ChecklistItem", "text"),
    ("selfchecks", "DailyItem", "text"),
]
BRACKETED = re.compile(r"（[^（）]*）")  # a name may add its original in brackets (the UK FSA rule set)


def english_words(text: str) -> list[str]:
    text = URL_OR_PATH.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in ALLOWED]


def citation_fields():
    for model in apps.get_models():
        if not model.__module__.startswith("shian.") or (model._meta.app_label, model.__name__) in NOT_CITATIONS:
            continue
        for field in model._meta.concrete_fields:
            if field.name == "source" and isinstance(field, models.CharField | models.TextField) and not field.choices:
                yield model, field.name


def test_the_check_catches_english():
    assert english_words("SAMR Order 60 (2022) 企业落实食品安全主体责任监督管理规定") == ["Order"]
    assert english_words("ShiAn working default") == ["ShiAn", "working", "default"]
    assert english_words("《食品生产经营监督检查管理办法》（市场监管总局令第49号）第二十二条：C级、D级；GB 2760") == []
    assert english_words("GB/T 2260-2007；https://www.stats.gov.cn/sj/ ；dist/streets.csv") == []


def test_the_walk_finds_every_rule_table():
    found = {f"{m._meta.app_label}.{m.__name__}" for m, _ in citation_fields()}
    assert {
        "registry.StaffingRule",
        "supervision.RiskRuleSet",
        "supervision.StaticFactor",
        "supervision.KeySupervisionRule",
        "hazards.DeadlineRule",
        "inspections.ChecklistTemplate",
        "inspections.ResultRule",
        "inspections.RatingPolicy",
        "selfchecks.DailyItem",
        "oversight.FrequencyRule",
    } <= found
    assert "core.AuditEntry" not in found and "hazards.Hazard" not in found  # an IP address; a choice


@pytest.mark.django_db
def test_seeded_sources_are_chinese():
    english = []
    seen = 0
    for model, name in citation_fields():
        for pk, value in model.objects.values_list("pk", name):
            seen += 1
            if words := english_words(value or ""):
                english.append(f"{model._meta.label}#{pk}.{name}: {words[:5]} in {value[:80]!r}")
    assert seen > 50  # the seeded rule tables are there
    assert not english, "\n".join(english)


@pytest.mark.django_db
def test_seeded_rule_texts_shown_in_the_ui_are_chinese():
    english = []
    for app_label, model_name, name in SHOWN:
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.values_list("pk", name):
            text = BRACKETED.sub("", value or "") if name == "name" else value or ""
            if words := english_words(text):
                english.append(f"{model._meta.label}#{pk}.{name}: {words[:5]} in {value[:80]!r}")
    assert not english, "\n".join(english)


@pytest.mark.django_db
def test_the_uk_rule_set_name_says_what_it_is_in_chinese():
    names = dict(apps.get_model("supervision", "RiskRuleSet").objects.values_list("code", "name"))
    assert names["cn-samr-2016"].startswith("食品生产经营风险分级")
    assert names["uk-fsa-flcop"].startswith("英国食品标准局（FSA）")


@pytest.mark.parametrize(
    "source",
    [
        food_licences.SC_SOURCE,
        food_licences.JY_SOURCE,
        food_licences.YB_SOURCE,
        gb2260.SOURCE,
        gb32100.SOURCE,
        ningbo.SOURCE,
    ],
)
def test_reference_table_sources_are_chinese(source):
    assert english_words(source) == []


# --- the data migrations that rewrite the released English seeds --------------------------------------------
MIGRATIONS = [
    ("shian.registry.migrations.0007_sources_zh", "registry", "StaffingRule", "source"),
    ("shian.supervision.migrations.0007_sources_zh", "supervision", "RiskRuleSet", "source"),
    ("shian.supervision.migrations.0007_sources_zh", "supervision", "DynamicFactor", "note"),
    ("shian.supervision.migrations.0007_sources_zh", "supervision", "GradeBand", "label"),
    ("shian.inspections.migrations.0012_sources_zh", "inspections", "ChecklistTemplate", "source"),
    ("shian.hazards.migrations.0007_sources_zh", "hazards", "DeadlineRule", "source"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "app_label", "model_name", "field"), MIGRATIONS)
def test_the_migration_reverses_and_leaves_an_edited_text_alone(module, app_label, model_name, field):
    """Backwards puts the seeded English back, forwards the Chinese; a row the bureau has edited is not touched."""
    import importlib

    migration = importlib.import_module(module)
    model = apps.get_model(app_label, model_name)
    chinese = dict(model.objects.values_list("pk", field))
    migration.backward(apps, None)
    restored = dict(model.objects.values_list("pk", field))
    changed = [pk for pk in chinese if restored[pk] != chinese[pk]]
    assert changed, "the reverse restores at least one seeded English text"
    assert all(english_words(restored[pk]) for pk in changed)
    bureau_text = restored[changed[0]][:40] + "（本局已修改）"  # the seeded text, edited (fits any max_length)
    model.objects.filter(pk=changed[0]).update(**{field: bureau_text})
    migration.forward(apps, None)
    after = dict(model.objects.values_list("pk", field))
    assert after[changed[0]] == bureau_text  # the bureau's text stays
    assert all(after[pk] == chinese[pk] for pk in changed[1:])
