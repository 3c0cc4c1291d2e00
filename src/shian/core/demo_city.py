"""Demo step: Ningbo's region tree and one regional login per role."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.hashers import make_password

from .choices import RegionLevel, Role
from .data.gb2260 import NINGBO, NINGBO_COUNTIES
from .data.ningbo import townships_of
from .demo import DemoContext
from .models import Region, User

DEMO_PASSWORD = "shian-demo-2026"  # noqa: S105 - printed demo password, demo databases only

CITY = NINGBO
# Ningbo's ten county-level divisions, in the order the demo has always made them (their ids follow it)
DISTRICT_ORDER = ["330203", "330205", "330206", "330211", "330212", "330213", "330281", "330282", "330226", "330225"]
DISTRICTS = [(code, NINGBO_COUNTIES[code]) for code in DISTRICT_ORDER]
GRIDS_PER_STREET = 3
# A district's food-safety inspectors: enough that each is planned about this many routine and 双随机
# visits a year (operating businesses × about 1.3 visits, by grade plus the random share), at least two.
VISITS_PER_INSPECTOR = 200
MAX_INSPECTORS_PER_DISTRICT = 40
INSPECTOR_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖"


def inspectors_per_district(businesses: int) -> int:
    per_district = businesses / len(DISTRICTS)
    return max(2, min(MAX_INSPECTORS_PER_DISTRICT, round(per_district * 1.3 / VISITS_PER_INSPECTOR)))


def generate_regions(ctx: DemoContext) -> None:
    """The city, its ten districts and their real township-level divisions (data/ningbo.py: 街道, 镇, 乡 with
    their statistical division codes), each with a few community grids."""
    city = Region.objects.create(code=CITY[0], name=CITY[1], level=RegionLevel.CITY)
    districts, streets, grids = [], [], []
    for code, name in DISTRICTS:
        districts.append(Region.objects.create(code=code, name=name, level=RegionLevel.DISTRICT, parent=city))
    for district in districts:
        for code, name, _level in townships_of(district.code):
            street = Region(code=code, name=name, level=RegionLevel.STREET, parent=district)
            street.path = f"{district.path}{street.code}/"
            streets.append(street)
    Region.objects.bulk_create(streets)
    streets = list(Region.objects.filter(level=RegionLevel.STREET).select_related("parent"))
    for street in streets:
        for k in range(1, GRIDS_PER_STREET + 1):
            grid = Region(
                code=f"{street.code}{k:03d}", name=f"{street.name}第{k}网格", level=RegionLevel.GRID, parent=street
            )
            grid.path = f"{street.path}{grid.code}/"
            grids.append(grid)
    Region.objects.bulk_create(grids)
    ctx.data["city"] = city
    ctx.data["districts"] = districts
    ctx.data["grids"] = list(Region.objects.filter(level=RegionLevel.GRID).select_related("parent__parent"))


def generate_regional_accounts(ctx: DemoContext) -> None:
    city = ctx.data["city"]
    haishu = Region.objects.get(code="330203")
    street = Region.objects.filter(parent=haishu).order_by("code").first()
    accounts = [
        ("admin", Role.CITY_ADMIN, city, "王", "局长"),
        ("haishu", Role.DISTRICT_REGULATOR, haishu, "陈", "科长"),
        ("jiangbei", Role.DISTRICT_REGULATOR, Region.objects.get(code="330205"), "赵", "科长"),
        ("street", Role.STREET_OFFICER, street, "刘", "所长"),
        ("inspector", Role.INSPECTOR, haishu, "周", "执法员"),
        ("lab", Role.LABORATORY, city, "吴", "检验员"),
        ("insurer", Role.INSURER, city, "郑", "理赔员"),
        ("public", Role.PUBLIC, None, "孙", "市民"),
        # 三员: accounts and settings / roles and policies / the audit log; none of them sees domain data
        ("sysadmin", Role.SYSTEM_ADMIN, city, "钱", "系统管理员"),
        ("secadmin", Role.SECURITY_ADMIN, city, "冯", "安全管理员"),
        ("auditadmin", Role.AUDIT_ADMIN, city, "韩", "审计管理员"),
    ]
    hashed = make_password(DEMO_PASSWORD)  # hash once: every demo login shares the password
    ctx.data["demo_password_hash"] = hashed
    for username, role, region, last, first in accounts:
        User.objects.create(
            username=username, role=role, region=region, last_name=last, first_name=first, password=hashed
        )
    generate_inspectors(ctx)


def generate_inspectors(ctx: DemoContext) -> None:
    """Each district's inspectors (the `inspector` login is one of 海曙区's), so that the yearly plans spread
    the visits over several people, as a district bureau's would. They have no demo login (no usable
    password): the plans, inspections and visits name them."""
    rng = ctx.rng
    wanted = inspectors_per_district(ctx.businesses)
    no_login = make_password(None)
    existing = Counter(
        User.objects.filter(role=Role.INSPECTOR, region__level=RegionLevel.DISTRICT).values_list(
            "region__code", flat=True
        )
    )
    users = []
    for district in Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code"):
        for k in range(existing.get(district.code, 0) + 1, wanted + 1):
            users.append(
                User(
                    username=f"insp{district.code}{k:02d}",
                    role=Role.INSPECTOR,
                    region=district,
                    last_name=rng.choice(INSPECTOR_SURNAMES),
                    first_name="执法员",
                    password=no_login,
                )
            )
    User.objects.bulk_create(users, batch_size=500)
