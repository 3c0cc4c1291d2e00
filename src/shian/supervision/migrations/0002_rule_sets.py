"""The default rule sets. Scores, bands and frequencies are data a bureau edits (supervision → rules)."""

from decimal import Decimal as D

from django.db import migrations

CN_SOURCE = (
    "食品生产经营风险分级管理办法(试行) (CFDA 2016): static factors max 40, dynamic max 60; bands commonly cited "
    "A 0–30, B >30–45, C >45–60, D >60 (not confirmed in an official text); inspections per year A ≥1, B 1–2, "
    "C 2–3, D 3–4. SAMR Order 49 (2021) Art. 21–22 for the grading duty. Static points per business type and the "
    "dynamic indicator weights are ShiAn's working defaults (school, elderly canteens and central kitchens weigh "
    "highest) for the bureau to calibrate; until inspection results are recorded in ShiAn, hazard and licence "
    "indicators stand in for the inspection-based dynamic factors."
)
UK_SOURCE = (
    "UK Food Law Code of Practice (England), Annex 5 intervention rating: categories A ≥92, B 72–91, C 52–71, "
    "D 31–51, E 0–30; intervals 6, 12, 18, 24 months and ~36 months (E, alternative enforcement). Part 1 "
    "(type of food and handling, consumers at risk) approximated by business type; Part 2 (compliance, confidence "
    "in management) approximated by hazard, licence and staffing indicators."
)

CN_STATIC = [
    ("production", None, "20"), ("production", 2, "25"), ("production", 3, "30"),
    ("sales", None, "10"), ("sales", 2, "13"), ("sales", 3, "16"),
    ("importer", None, "15"), ("importer", 2, "18"), ("importer", 3, "20"),
    ("catering", None, "15"), ("catering", 2, "18"), ("catering", 3, "22"),
    ("takeout", None, "15"), ("takeout", 2, "18"),
    ("school_canteen", None, "35"), ("elderly_canteen", None, "35"),
    ("central_kitchen", None, "35"), ("central_kitchen", 3, "40"),
]
CN_DYNAMIC = [
    ("hazards_open_serious", "15", "30", "each open serious hazard"),
    ("hazards_overdue", "8", "24", "each hazard past its rectification deadline"),
    ("hazards_escalated_12m", "10", "20", "each hazard escalated to a case in 12 months"),
    ("hazards_open", "3", "12", "each open hazard"),
    ("licence_expired", "15", "15", "licence expired"),
    ("licence_missing", "20", "20", "no licence on record"),
    ("staffing_incomplete", "6", "6", "两员 not staffed as the rules require"),
]
CN_BANDS = [("A", "-1", "1", "1", "低风险"), ("B", "30", "1", "2", "较低风险"), ("C", "45", "2", "3", "较高风险"),
            ("D", "60", "3", "4", "高风险")]

UK_STATIC = [
    ("production", None, "45"), ("production", 3, "55"), ("central_kitchen", None, "50"),
    ("school_canteen", None, "50"), ("elderly_canteen", None, "50"), ("catering", None, "40"),
    ("takeout", None, "35"), ("importer", None, "30"), ("sales", None, "15"),
]
UK_DYNAMIC = [
    ("hazards_open", "5", "25", "compliance: hygiene and structure"),
    ("hazards_open_serious", "15", "25", "significant risk"),
    ("hazards_overdue", "10", "30", "confidence in management"),
    ("staffing_incomplete", "10", "10", "confidence in management"),
    ("licence_expired", "10", "10", "confidence in management"),
]
UK_BANDS = [("E", "-1", "0.33", "0.33", "every 36 months"), ("D", "30", "0.5", "0.5", "every 24 months"),
            ("C", "51", "0.67", "0.67", "every 18 months"), ("B", "71", "1", "1", "every 12 months"),
            ("A", "91", "2", "2", "every 6 months")]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("supervision", "RiskRuleSet")
    Static = apps.get_model("supervision", "StaticFactor")
    Dynamic = apps.get_model("supervision", "DynamicFactor")
    Band = apps.get_model("supervision", "GradeBand")
    for code, name, version, source, active, static, dynamic, bands in (
        ("cn-samr-2016", "食品生产经营风险分级 (SAMR/CFDA 2016)", "2016", CN_SOURCE, True, CN_STATIC, CN_DYNAMIC,
         CN_BANDS),
        ("uk-fsa-flcop", "UK FSA Food Law Code of Practice, Annex 5", "2021", UK_SOURCE, False, UK_STATIC, UK_DYNAMIC,
         UK_BANDS),
    ):
        rs = RuleSet.objects.create(code=code, name=name, version=version, source=source, active=active)
        Static.objects.bulk_create([Static(rule_set=rs, business_type=t, min_scale=s, points=D(p))
                                    for t, s, p in static])
        Dynamic.objects.bulk_create([Dynamic(rule_set=rs, indicator=k, points_per_unit=D(u), max_points=D(m), note=n)
                                     for k, u, m, n in dynamic])
        Band.objects.bulk_create([Band(rule_set=rs, grade=g, min_score=D(lo), inspections_min=D(a),
                                       inspections_max=D(b), label=lbl) for g, lo, a, b, lbl in bands])


def unseed(apps, schema_editor):
    apps.get_model("supervision", "RiskRuleSet").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
