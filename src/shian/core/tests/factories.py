import factory

from shian.core.choices import RegionLevel, Role
from shian.core.models import Region, User

PASSWORD = "correct-horse-battery-staple"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:05d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    level = RegionLevel.DISTRICT
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.DISTRICT_REGULATOR
    region = None
    business = None
    password = factory.django.Password(PASSWORD)
