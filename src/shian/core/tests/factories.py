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
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def business(obj, create, extracted, **kwargs):
        """``UserFactory(business=shop)``: the account acts for that business (registry's link)."""
        if extracted is not None:
            from shian.core.scoping import link_business

            link_business(obj, extracted)


def make_city() -> dict:
    """Ningbo with two districts, each with one street and one grid."""
    ningbo = Region.objects.create(code="330200", name="宁波市", level=RegionLevel.CITY)
    tree = {"city": ningbo}
    for key, code, name in (("haishu", "330203", "海曙区"), ("jiangbei", "330205", "江北区")):
        district = Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT, parent=ningbo)
        street = Region.objects.create(
            code=f"{code}001", name=f"{name}一街道", level=RegionLevel.STREET, parent=district
        )
        grid = Region.objects.create(code=f"{code}001001", name=f"{name}一网格", level=RegionLevel.GRID, parent=street)
        tree[key] = district
        tree[f"{key}_street"] = street
        tree[f"{key}_grid"] = grid
    return tree
