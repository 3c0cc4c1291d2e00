"""A licence's dates have a plausible window (issue 10, item 9): nothing issued before the first food
hygiene licences (1983-07-01) and no expiry beyond the five-year term of a licence issued today. Refused
through the service, the form and the API, naming the field."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from shian.registry import services
from shian.registry.models import LICENCE_EARLIEST_ISSUE, Licence


@pytest.fixture(autouse=True)
def _english(settings):
    """The assertions read the English messages (the site's default language is Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _create(users, shop, **dates):
    return services.licence_create(actor=users["haishu"], business=shop, kind="JY", number="JY23302039999991", **dates)


@pytest.mark.parametrize(
    ("dates", "field", "phrase"),
    [
        ({"issued_on": dt.date(1, 1, 1), "valid_until": dt.date(2027, 1, 1)}, "issued_on", "too early"),
        ({"issued_on": dt.date(1983, 6, 30), "valid_until": dt.date(2027, 1, 1)}, "issued_on", "1983-07-01"),
        ({"issued_on": dt.date(2024, 1, 1), "valid_until": dt.date(9999, 12, 31)}, "valid_until", "5 years"),
    ],
)
def test_implausible_licence_dates_are_refused_naming_the_field(users, haishu_shop, dates, field, phrase):
    with pytest.raises(ValidationError) as exc:
        _create(users, haishu_shop, **dates)
    assert field in exc.value.message_dict
    assert phrase in " ".join(exc.value.message_dict[field])
    assert not Licence.objects.filter(number="JY23302039999991").exists()


def test_the_edges_of_the_window_are_accepted(users, haishu_shop):
    today = timezone.localdate()
    latest = today.replace(year=today.year + 5) if not (today.month == 2 and today.day == 29) else None
    latest = latest or dt.date(today.year + 5, 2, 28)
    licence = _create(users, haishu_shop, issued_on=LICENCE_EARLIEST_ISSUE, valid_until=latest)
    assert (licence.issued_on, licence.valid_until) == (LICENCE_EARLIEST_ISSUE, latest)


def test_the_api_refuses_an_expiry_in_9999_with_the_field_named(users, haishu_shop, client):
    from shian.core.services import api_token_create

    _token, key = api_token_create(user=users["haishu"])
    response = client.post(
        f"/api/businesses/{haishu_shop.pk}/licences",
        {"kind": "JY", "number": "JY23302039999991", "issued_on": "2024-01-01", "valid_until": "9999-12-31"},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code in (400, 422), response.content
    assert "valid_until" in response.content.decode()
    assert not Licence.objects.filter(number="JY23302039999991").exists()
