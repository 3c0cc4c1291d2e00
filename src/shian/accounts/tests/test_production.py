"""The production profile refuses what check --deploy only warns about; the demo refuses to run there."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shian.core.models import Region, User

ROOT = Path(__file__).resolve().parents[4]
GOOD_KEY = "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789"


def _required_settings() -> dict[str, str]:
    """A plausible value for every setting the production profile requires (other areas add theirs)."""
    names = re.findall(r'required\("([A-Z_]+)"', (ROOT / "src" / "shian" / "settings.py").read_text(encoding="utf-8"))
    values = {name: "r" * 40 + "-0123456789-abcdefghijklmnop" for name in names}
    values["FIELD_KEYS"] = "k1:" + base64.b64encode(bytes(range(32))).decode()
    return {f"SHIAN_{name}": values[name] for name in names}


def _production(tmp_path, **env):
    base = _required_settings() | {
        "SHIAN_PROFILE": "production",
        "SHIAN_SECRET_KEY": GOOD_KEY,
        "SHIAN_ALLOWED_HOSTS": "shian.example.gov.cn",
        "SHIAN_DATA_DIR": str(tmp_path),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")}
    return clean | base | env


def _import_settings(env):
    return subprocess.run(
        [sys.executable, "-c", "import shian.settings"], env=env, capture_output=True, text=True, timeout=60
    )


def test_good_production_settings_load(tmp_path):
    result = _import_settings(_production(tmp_path))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SHIAN_DEBUG": "1"}, "SHIAN_DEBUG"),
        ({"SHIAN_SECRET_KEY": "short-key"}, "SHIAN_SECRET_KEY"),
        ({"SHIAN_SECRET_KEY": "ab" * 40}, "SHIAN_SECRET_KEY"),  # long enough, 2 different characters
        ({"SHIAN_SECRET_KEY": "django-insecure-" + "k3y" * 20}, "SHIAN_SECRET_KEY"),
        ({"SHIAN_ALLOWED_HOSTS": "*"}, "SHIAN_ALLOWED_HOSTS"),
        ({"SHIAN_ALLOWED_HOSTS": "shian.example.gov.cn,*"}, "SHIAN_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_weak_settings(tmp_path, env, named):
    result = _import_settings(_production(tmp_path, **env))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr


def test_development_still_accepts_them(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")}
    env = clean | {"SHIAN_DEBUG": "1", "SHIAN_ALLOWED_HOSTS": "*", "SHIAN_DATA_DIR": str(tmp_path)}
    assert _import_settings(env).returncode == 0


def test_demo_command_refuses_under_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("demo", size="tiny", no_progress=True)
    assert not Region.objects.exists() and not User.objects.exists()


def test_shian_demo_refuses_under_production_before_touching_the_database(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "shian", "demo", "--reset", "--no-serve", "--size", "tiny"],
        env=_production(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "refuses to run under SHIAN_PROFILE=production" in result.stderr
    assert not (tmp_path / "shian.sqlite3").exists()  # not migrated, not reset
