"""Schemathesis over the whole OpenAPI schema, in-process (the Django WSGI application, no server).

Every operation is called with generated requests — valid ones and invalid ones (wrong types, missing
fields, values beyond their bounds, odd strings) — as the city administrator (who may call every
operation but a business's own; those answer 403, which the schema declares) with a bearer token, and
each answer must be:

- never a server error (5xx);
- a status code the operation declares (``status_code_conformance``), with the content type it declares;
- a body that matches the declared schema of that status (``response_schema_conformance``).

``make test`` runs few examples per operation (``SHIAN_FUZZ_EXAMPLES``, default 8); ``make fuzz`` runs
``SHIAN_FUZZ_EXAMPLES=100``. A failure prints the request that reproduces it (schemathesis' curl line).
The world is small (conftest's city, one business with a hazard, an inspection and a plan), so most ids
are unknown (404) — what is tested here is what junk does, not what each operation does (their own tests).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from shian.api import api
from shian.wsgi import application

EXAMPLES = int(os.environ.get("SHIAN_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application  # called in-process through WSGI


@pytest.fixture
def _connection_kept_between_requests():
    """As Django's test client does: a request through the WSGI application ends with
    ``close_old_connections``, which on PostgreSQL drops the test's connection (its transaction is not in
    autocommit) and with it the test's data. Keep it for the test's requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(city, _connection_kept_between_requests):
    """A token of the city administrator, and one of each object so that small ids exist (the administrator
    has no password: hashing one per operation would cost more than the requests)."""
    from shian.core.choices import Role
    from shian.core.models import User
    from shian.core.services import api_token_create
    from shian.hazards import services as hazard_services
    from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory

    business = BusinessFactory(region=city["haishu_grid"])
    LicenceFactory(business=business)
    StaffFactory(business=business)
    hazard_services.hazard_create(actor=None, business=business, title="地面湿滑")
    admin = User.objects.create(username="fuzz-admin", role=Role.CITY_ADMIN, region=city["city"])
    _token, key = api_token_create(user=admin, name="fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 10,  # the quick run in `make test` draws the same cases every time
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_answers_junk_as_declared(case, fuzz_world):
    case.call_and_validate(headers=fuzz_world, checks=CHECKS)
