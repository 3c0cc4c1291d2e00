"""Apps depend inward: core ← registry ← the rest. Core's code (its tests and historical migrations
aside) imports no later app; a later app never imports core's internals it should not need."""

import ast
from pathlib import Path

from django.apps import apps

CORE = Path(__file__).resolve().parents[1]
LATER = {a.name for a in apps.get_app_configs() if a.name.startswith("shian.") and a.name != "shian.core"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def test_core_imports_no_later_app():
    offenders = {}
    for path in CORE.rglob("*.py"):
        rel = path.relative_to(CORE)
        if rel.parts[0] in {"tests", "migrations"}:
            continue
        bad = {m for m in _imports(path) if any(m == app or m.startswith(app + ".") for app in LATER | {"shian.api"})}
        if bad:
            offenders[str(rel)] = sorted(bad)
    assert not offenders, offenders


def test_core_models_have_no_foreign_key_to_a_later_app():
    for model in apps.get_app_config("core").get_models():
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if field.is_relation and field.concrete and target is not None:
                assert target._meta.app_label in {"core", "auth", "contenttypes"}, (model, field.name)
