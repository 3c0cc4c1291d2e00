"""The API schema is committed (docs/openapi.json), so every API change is a deliberate one:
after changing the API, run `make openapi` and commit the result."""

import json
from pathlib import Path

from shian.api import api

COMMITTED = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


def test_openapi_schema_matches_committed_copy(db):
    current = json.loads(json.dumps(api.get_openapi_schema(), ensure_ascii=False, sort_keys=True))
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert current == committed, "API changed: run `make openapi` and commit docs/openapi.json"
