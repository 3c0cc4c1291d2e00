"""Demo step: the businesses of the demo city, with licences and staff, plus business-scoped logins.

Deterministic: one seeded random generator. Businesses opened over the last sixteen years (about one
in six in the last three), each on the register since its first licence; a licence runs five years and
is renewed (延续) at the end of each term, kept as one record valid to the end of the current term. A
few records are deliberately bad, as in a healthy city: a licence lapsed at its last renewal (about
one operating business in seventy), no licence on record (one in a hundred), missing staff — so the
KPIs are not all 100%."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shian.core.audit import audit_many, build_entry
from shian.core.choices import AuditAction, Role
from shian.core.demo import DemoContext
from shian.core.models import Region, User
from shian.core.validators import USCC_CHARSET, make_uscc

from . import services
from .choices import BusinessStatus, BusinessType, LicenceKind, Scale, StaffRole
from .models import Business, Licence, Staff
from .staffing import RuleBook

TYPE_WEIGHTS = [
    (BusinessType.CATERING, 40),
    (BusinessType.FOOD_SALES, 28),
    (BusinessType.TAKEOUT, 10),
    (BusinessType.FOOD_PRODUCTION, 8),
    (BusinessType.SCHOOL_CANTEEN, 5),
    (BusinessType.ELDERLY_CANTEEN, 3),
    (BusinessType.CENTRAL_KITCHEN, 2),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国海燕志红晓东宁波浩然子涵雨欣佳怡思远俊杰"
WORDS = [
    "海韵",
    "甬福",
    "天一",
    "四明",
    "东海",
    "月湖",
    "三江",
    "鼓楼",
    "老外滩",
    "金穗",
    "禾丰",
    "鲜味",
    "阿拉",
    "港城",
    "明州",
    "宏达",
    "瑞丰",
    "鑫源",
    "聚鲜",
    "和记",
    "恒兴",
    "百味",
    "丰收",
    "绿源",
    "甬上",
    "梅园",
]
CATERING = ["面馆", "小吃店", "酒家", "餐厅", "大排档", "汤包馆", "海鲜楼", "快餐店", "饺子馆", "烧烤店", "茶餐厅"]
SALES = ["超市", "便利店", "食品商行", "副食品店", "粮油店", "水果店", "生鲜店"]
PRODUCTS = [
    ("食品", "127"),
    ("酿造", "103"),
    ("水产品加工", "122"),
    ("糕点", "124"),
    ("饮料", "106"),
    ("调味品", "103"),
    ("豆制品", "126"),
    ("速冻食品", "111"),
]
ROADS = [
    "中山西路",
    "中山东路",
    "解放南路",
    "解放北路",
    "开明街",
    "药行街",
    "柳汀街",
    "日湖路",
    "人民路",
    "江东北路",
    "百丈路",
    "四明中路",
    "天童南路",
    "鄞州大道",
    "宁穿路",
    "新大路",
    "明州路",
    "长江路",
    "庄市大道",
    "环城北路",
    "阳明西路",
    "新城大道",
    "西河街",
    "丹峰路",
    "丹阳路",
    "跃龙路",
]
SCHOOLS = ["实验", "外国语", "第一", "第二", "育才", "行知", "东恩", "广济", "惠贞", "春晖"]
CENTRE = {
    "330203": (29.87, 121.52),
    "330205": (29.92, 121.55),
    "330206": (29.90, 121.85),
    "330211": (29.95, 121.70),
    "330212": (29.82, 121.55),
    "330213": (29.66, 121.41),
    "330281": (30.04, 121.15),
    "330282": (30.17, 121.27),
    "330226": (29.29, 121.43),
    "330225": (29.48, 121.87),
}
BATCH = 5000
_SC_SERIALS: dict[str, int] = {}


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _name(rng, btype: str, grid: Region, district: Region, seq: int) -> str:
    word = rng.choice(WORDS)
    place = grid.parent.name.removesuffix("街道").removesuffix("镇")
    if btype == BusinessType.CATERING:
        return (
            f"{district.name}{rng.choice([word, rng.choice(SURNAMES) + '记', '阿' + rng.choice(SURNAMES)])}"
            f"{rng.choice(CATERING)}（{place}店）"
        )
    if btype == BusinessType.FOOD_SALES:
        return f"宁波市{district.name}{word}{rng.choice(SALES)}{seq % 97 + 1}号店"
    if btype == BusinessType.TAKEOUT:
        return f"{word}外卖{rng.choice(CATERING)}（{rng.choice(ROADS)}店）"
    if btype == BusinessType.FOOD_PRODUCTION:
        return f"宁波{word}{rng.choice(PRODUCTS)[0]}有限公司"
    if btype == BusinessType.SCHOOL_CANTEEN:
        return f"宁波市{district.name}{place}{rng.choice(SCHOOLS)}{rng.choice(['小学', '中学', '幼儿园'])}食堂"
    if btype == BusinessType.ELDERLY_CANTEEN:
        return f"{place}{rng.choice(['居家养老服务中心', '颐乐园', '老年活动中心'])}老年食堂"
    if btype == BusinessType.CENTRAL_KITCHEN:
        return f"宁波{word}餐饮管理有限公司中央厨房"
    return f"宁波{word}进出口有限公司"


def _uscc(rng, division: str, used: set[str]) -> str:
    while True:
        org = "".join(rng.choice(USCC_CHARSET) for _ in range(8))
        code = make_uscc(f"{rng.choice(['91', '91', '92'])}{division}{org}")
        if code not in used:
            used.add(code)
            return code


def generate_businesses(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    grids: list[Region] = ctx.data["grids"]
    rules = RuleBook.load()
    types = [t for t, _w in TYPE_WEIGHTS]
    weights = [w for _t, w in TYPE_WEIGHTS]
    used: set[str] = set(Business.objects.values_list("uscc", flat=True))
    serial = Business.objects.count()
    _SC_SERIALS.clear()
    _SC_SERIALS.update({d: 0 for d in CENTRE})
    done = 0
    total = ctx.businesses
    while done < total:
        n = min(BATCH, total - done)
        businesses, extras = [], []
        for i in range(n):
            seq = serial + done + i
            grid = rng.choice(grids)
            district = grid.parent.parent
            btype = rng.choices(types, weights)[0]
            scale = rng.choices([Scale.SMALL, Scale.MEDIUM, Scale.LARGE], [80, 16, 4])[0]
            diners = None
            if btype in (BusinessType.SCHOOL_CANTEEN, BusinessType.ELDERLY_CANTEEN, BusinessType.CENTRAL_KITCHEN):
                diners = rng.choice([120, 260, 350, 480, 650, 900, 1200, 2400])
            status = rng.choices(
                [BusinessStatus.OPERATING, BusinessStatus.SUSPENDED, BusinessStatus.CLOSED], [92, 5, 3]
            )[0]
            lat, lng = CENTRE[district.code]
            recent = rng.random() < RECENT_SHARE
            age = rng.randrange(20, 3 * 365) if recent else rng.randrange(3 * 365, 16 * 365)
            created = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=age), dt.time(9, 0)))
            businesses.append(
                Business(
                    name=_name(rng, btype, grid, district, seq),
                    uscc=_uscc(rng, district.code, used),
                    type=btype,
                    scale=scale,
                    diners_per_meal=diners,
                    address=f"浙江省宁波市{district.name}{grid.parent.name}{rng.choice(ROADS)}{rng.randrange(1, 999)}"
                    "号",
                    region=grid,
                    region_path=grid.path,
                    latitude=Decimal(f"{lat + rng.uniform(-0.08, 0.08):.6f}"),
                    longitude=Decimal(f"{lng + rng.uniform(-0.08, 0.08):.6f}"),
                    status=status,
                    legal_representative=_person(rng),
                    contact_phone=_mobile(rng),
                    created_at=created,
                    updated_at=created,
                )
            )
            extras.append((btype, scale, diners, district.code, seq))
        licences, staff = [], []
        for business, (btype, scale, diners, division, seq) in zip(businesses, extras, strict=True):
            # on the register since its first licence, issued the day it opened (grade history reads the
            # register and the licences by date)
            licences.extend(_licences(rng, business, btype, division, seq, today))
            present = set()
            for role in rules.required(btype, scale, diners):
                if rng.random() < (0.86 if role == StaffRole.DIRECTOR else 0.95):  # a few gaps, on purpose
                    staff.append(_staff(rng, business, role, today))
                    present.add(role)
            complete, missing = rules.evaluate(btype, scale, diners, present)
            business.staffing_complete, business.staffing_missing = complete, missing
        Business.objects.bulk_create(businesses, batch_size=1000)  # licences and staff take their ids now
        Licence.objects.bulk_create(licences, batch_size=2000)
        Staff.objects.bulk_create(staff, batch_size=2000)
        audit_many(
            build_entry(actor=None, action=AuditAction.CREATE, obj=b, note="demo city generator") for b in businesses
        )
        done += n
        ctx.progress("businesses", done, total)
    ctx.data["business_count"] = total


RECENT_SHARE = 0.18  # businesses opened in the last three years
NO_LICENCE = 0.01  # no licence on record: a gap the dashboard shows
# a licence not renewed at the end of its last term (within the last two years): operating businesses
# rarely (the "expired licences" tile), suspended and deregistered ones often
LAPSED = {BusinessStatus.OPERATING: 0.05, BusinessStatus.SUSPENDED: 0.6, BusinessStatus.CLOSED: 0.8}
TERM_YEARS = 5


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 2, 28)


def _valid_until(rng, issued: dt.date, status: str, today: dt.date) -> dt.date:
    """The end of the licence's current five-year term (renewed at the end of each), or, for a licence
    that lapsed at its last renewal, the end of the term before."""
    term = 1
    while _plus_years(issued, TERM_YEARS * term) - dt.timedelta(days=1) < today:
        term += 1
    current_end = _plus_years(issued, TERM_YEARS * term) - dt.timedelta(days=1)
    previous_end = _plus_years(issued, TERM_YEARS * (term - 1)) - dt.timedelta(days=1)
    lapsed = rng.random() < LAPSED.get(status, 0.0)
    if lapsed and term > 1 and previous_end >= today - dt.timedelta(days=730):
        return previous_end
    return current_end


def _licences(rng, business: Business, btype: str, division: str, seq: int, today: dt.date) -> list[Licence]:
    roll = rng.random()
    if roll < NO_LICENCE:
        return []
    issued = business.created_at.date()
    if btype == BusinessType.FOOD_SALES and roll < 0.2 + NO_LICENCE:  # prepackaged food only: filed (备案)
        return [
            Licence(business=business, kind=LicenceKind.FILING, number=f"备案{division}{seq:08d}", issued_on=issued)
        ]
    valid_until = _valid_until(rng, issued, business.status, today)
    if btype == BusinessType.FOOD_PRODUCTION:
        category = rng.choice(PRODUCTS)[1]
        serial = _SC_SERIALS[division] = _SC_SERIALS.get(division, 0) + 1  # 4 digits per county
        number = f"SC{category}{division}{serial % 10000:04d}{rng.randrange(10)}"
        kind = LicenceKind.PRODUCTION
    else:
        first = {
            BusinessType.FOOD_SALES: 1,
            BusinessType.SCHOOL_CANTEEN: 3,
            BusinessType.ELDERLY_CANTEEN: 3,
        }.get(btype, 2)
        number = f"JY{first}{division}{seq:06d}{rng.randrange(10)}"
        kind = LicenceKind.BUSINESS
    return [
        Licence(
            business=business,
            kind=kind,
            number=number,
            issued_on=issued,
            valid_until=valid_until,
            issuing_authority="宁波市市场监督管理局",
        )
    ]


def _staff(rng, business: Business, role: str, today: dt.date) -> Staff:
    trained = today - dt.timedelta(days=rng.randrange(10, 700))
    assessed = trained + dt.timedelta(days=rng.randrange(0, 10))
    return Staff(
        business=business,
        role=role,
        name=_person(rng),
        phone=_mobile(rng),
        trained_on=trained,
        assessed_on=min(assessed, today),
        assessment_passed=rng.random() > 0.04,
        active=True,
    )


def generate_accounts(ctx: DemoContext) -> None:
    """The `shop` and `canteen` logins, each for a business with a clean record to build a full history
    on (the later steps give them inspections, 包保, self-checks and a grade): operating, licensed, its
    两员 complete, in the street of the `street` login when there is one there (so the street officer's
    包保 covers it), else elsewhere in 海曙区 (a tiny city may have to take one that is not clean, or one
    elsewhere). Their ids are in ``ctx.data["demo_businesses"]``."""
    haishu = Region.objects.get(code="330203")
    street = Region.objects.filter(parent=haishu).order_by("code").first()
    today = timezone.localdate()
    operating = Business.objects.filter(region_path__startswith=haishu.path, status=BusinessStatus.OPERATING)
    clean = operating.filter(
        staffing_complete=True,
        created_at__lt=timezone.now() - dt.timedelta(days=4 * 365),  # with years of history behind it
        licences__valid_until__gt=today + dt.timedelta(days=EXPIRY_MARGIN_DAYS),
    )

    def pick(business_type: str) -> Business | None:
        """The first that fits, from the best place down (a small demo city may have no clean one)."""
        places = [clean.filter(region_path__startswith=street.path)] if street else []
        anywhere = Business.objects.filter(status=BusinessStatus.OPERATING)
        for qs in [*places, clean, operating, anywhere]:
            business = qs.filter(type=business_type).order_by("pk").first()
            if business is not None:
                return business
        return None

    accounts = [
        ("shop", Role.BUSINESS_STAFF, pick(BusinessType.CATERING), "钱", "安全员"),
        ("canteen", Role.CANTEEN_MANAGER, pick(BusinessType.SCHOOL_CANTEEN), "冯", "主任"),
    ]
    ctx.data["demo_businesses"] = {}
    for username, role, business, last, first in accounts:
        if business is None:
            continue
        account = User.objects.create(
            username=username,
            role=role,
            last_name=last,
            first_name=first,
            password=ctx.data["demo_password_hash"],
        )
        services.account_link(user=account, business=business)
        ctx.data["demo_businesses"][username] = business.pk


EXPIRY_MARGIN_DAYS = 90  # the demo logins' businesses hold a licence valid well beyond the warning window
