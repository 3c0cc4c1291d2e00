import pytest

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.registry.tests.factories import BusinessFactory, LicenceFactory, StaffFactory


@pytest.fixture
def haishu_shop(city):
    business = BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])
    LicenceFactory(business=business)
    StaffFactory(business=business)
    return business


@pytest.fixture
def jiangbei_shop(city):
    business = BusinessFactory(name="江北阿拉小吃店", region=city["jiangbei_grid"])
    LicenceFactory(business=business)
    StaffFactory(business=business)
    return business


@pytest.fixture
def shop_user(haishu_shop):
    return UserFactory(username="shopstaff", role=Role.BUSINESS_STAFF, business=haishu_shop)
