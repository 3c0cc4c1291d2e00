import datetime as dt

import factory
from django.utils import timezone

from shian.core.validators import make_uscc
from shian.registry.choices import BusinessType, LicenceKind, StaffRole
from shian.registry.models import Business, Licence, Staff

ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_for(n: int, division: str = "330203") -> str:
    org = ""
    for _ in range(8):
        n, r = divmod(n, len(ORG_CHARS))
        org = ORG_CHARS[r] + org
    return make_uscc(f"91{division}{org}")


class BusinessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Business

    name = factory.Sequence(lambda n: f"测试餐饮店{n}")
    uscc = factory.Sequence(lambda n: uscc_for(n + 1000))
    type = BusinessType.CATERING
    address = factory.Sequence(lambda n: f"浙江省宁波市海曙区中山西路{n}号")
    region = None  # required: pass a grid or street


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    business = factory.SubFactory(BusinessFactory)
    kind = LicenceKind.BUSINESS
    number = factory.Sequence(lambda n: f"JY2330203{n:06d}1")
    issued_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1400))


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    business = factory.SubFactory(BusinessFactory)
    role = StaffRole.OFFICER
    name = factory.Sequence(lambda n: f"安全员{n}")
    phone = "13800138000"
