"""Shared fixtures: a two-district slice of Ningbo, one user per role, API clients."""

import pytest
from django.db.backends.signals import connection_created
from django.test import Client

from shian.core.choices import Role
from shian.core.tests.factories import PASSWORD, UserFactory, make_city


def _allow_flushing_the_audit_log(sender, connection, **kwargs):
    """A transactional test ends with a flush (TRUNCATE of every table); the audit log refuses TRUNCATE
    unless the connection allows it (core migration 0007). Only the test suite's connections do."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET shian.audit_truncate = 'allow'")


connection_created.connect(_allow_flushing_the_audit_log)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files (hazard evidence, …) go to a temporary folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    """Background jobs run at once, in the test's own transaction (core.jobs); tests of the queue itself
    (core/tests/test_jobs*.py) switch to the database backend and run a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def city(db):
    return make_city()


@pytest.fixture
def users(city):
    return {
        "admin": UserFactory(username="admin", role=Role.CITY_ADMIN, region=city["city"]),
        "haishu": UserFactory(username="haishu", role=Role.DISTRICT_REGULATOR, region=city["haishu"]),
        "jiangbei": UserFactory(username="jiangbei", role=Role.DISTRICT_REGULATOR, region=city["jiangbei"]),
        "street": UserFactory(username="street", role=Role.STREET_OFFICER, region=city["haishu_street"]),
        "inspector": UserFactory(username="inspector", role=Role.INSPECTOR, region=city["haishu"]),
        "public": UserFactory(username="public", role=Role.PUBLIC),
    }


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


class ApiClient:
    """A test client that sends a bearer token, like an external system would."""

    def __init__(self, user):
        from shian.core.services import api_token_create

        _token, self.key = api_token_create(user=user, name="test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def __getattr__(self, name):
        method = getattr(self.client, name)

        def call(path, data=None, **kwargs):
            if name in {"post", "patch", "put"} and data is not None and "format" not in kwargs:
                return method(path, data, content_type="application/json", **kwargs)
            return method(path, data, **kwargs) if data is not None else method(path, **kwargs)

        return call


@pytest.fixture
def web():
    return login


@pytest.fixture
def api():
    return ApiClient
