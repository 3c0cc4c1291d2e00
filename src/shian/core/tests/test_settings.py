import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[4]


def test_timezone_and_language(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.USE_TZ


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only")
def test_sqlite_file_databases_use_wal(settings):
    assert "journal_mode=WAL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")} | env_extra
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_production_profile_passes_check_deploy(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "SHIAN_PROFILE": "production",
            "SHIAN_SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
            "SHIAN_ALLOWED_HOSTS": "shian.example.gov.cn",
            "SHIAN_FIELD_KEYS": "k1:" + "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=",  # 32 bytes, base64
            "SHIAN_FIELD_HASH_KEY": "aGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGg=",
            "SHIAN_AUDIT_KEY": "a" * 64,  # the audit chain's MAC key
            "SHIAN_DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_fails_fast_without_secret(tmp_path):
    result = _manage("check", env_extra={"SHIAN_PROFILE": "production", "SHIAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SHIAN_SECRET_KEY must be set" in result.stderr
