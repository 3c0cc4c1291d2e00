"""Demo step: the businesses of the demo city, with licences and staff, plus business-scoped logins.

Deterministic: one seeded random generator. Businesses opened over the last sixteen years (about one
in six in the last three), each on the register since its first licence; a licence runs five years and
is renewed (延续) at the end of each term, kept as one record valid to the end of the current term. A
few records are deliberately bad, as in a healthy city: a licence lapsed at its last renewal (about
one operating business in seventy), no licence on record (one in a hundred), missing staff — so the
KPIs are not all 100%."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from shian.core.audit import audit_many, build_entry
from shian.core.choices import AuditAction, Role
from shian.core.data.food_licences import SC_SPECIAL_CATEGORIES
from shian.core.demo import DemoContext
from shian.core.models import Region, User
from shian.core.validators import USCC_CHARSET, make_uscc

from . import licensing, services
from .choices import BusinessStatus, BusinessType, LicenceKind, Scale, StaffEmployer, StaffRole
from .models import Business, Licence, Staff
from .staffing import ROLE_ORDER, RuleBook, present_keys

# shares of the register, per 194 businesses: catering and sales dominate; canteens by kind of unit; a few
# central kitchens and group-meal distributors (集体用餐配送单位)
TYPE_WEIGHTS = [
    (BusinessType.CATERING, 76),
    (BusinessType.FOOD_SALES, 52),
    (BusinessType.TAKEOUT, 18),
    (BusinessType.FOOD_PRODUCTION, 14),
    (BusinessType.OTHER_CANTEEN, 10),
    (BusinessType.SCHOOL_CANTEEN, 8),
    (BusinessType.KINDERGARTEN_CANTEEN, 6),
    (BusinessType.ELDERLY_CANTEEN, 4),
    (BusinessType.CENTRAL_KITCHEN, 3),
    (BusinessType.GROUP_MEAL, 3),
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
# what producers make: (name word, SC food category of 食品生产许可分类目录; core/data/food_licences.py)
PRODUCTS = [
    ("粮油", "101"),
    ("调味品", "103"),
    ("肉制品", "104"),
    ("饮料", "106"),
    ("速冻食品", "111"),
    ("酒业", "115"),
    ("水产食品", "122"),
    ("糕点", "124"),
    ("豆制品", "125"),
]
# special-food producers (保健食品 127, 特殊医学用途配方食品 128, 婴幼儿配方食品 129): provincially licensed
SPECIAL_PRODUCTS = [("生物科技", "127"), ("营养科技", "128"), ("乳业", "129")]
SPECIAL_FOOD_SHARE = 0.05  # of producers
IMPORTER_SHARE = 0.06  # of sellers: import food themselves (进口商, an attribute, not a 业态)
OUTSOURCED_SHARE = 0.2  # of school canteens: run by a contracted catering company
# of outsourced school canteens at the 双总监 threshold: the school has appointed its own director too
# (the others show "缺本单位食品安全总监"); their kitchen staff are the contractor's
OWN_DIRECTOR_SHARE = 0.7
CONTRACTORS = ["团膳管理有限公司", "餐饮管理有限公司", "膳食服务有限公司", "后勤服务有限公司"]
# real roads of each district (a road is in its district; not checked against the chosen street)
ROADS = {
    "330203": ["中山西路", "解放南路", "解放北路", "开明街", "药行街", "柳汀街", "望春路", "段塘路", "环城西路"],
    "330205": ["人民路", "大闸路", "环城北路", "北环东路", "康庄南路", "洪塘中路", "庄桥路"],
    "330206": ["新大路", "明州路", "长江路", "太河路", "泰山路", "庐山路"],
    "330211": ["庄市大道", "镇骆东路", "车站路", "沿江西路", "明海南路", "东邑北路"],
    "330212": ["中山东路", "天童南路", "四明中路", "鄞州大道", "宁穿路", "百丈路", "江东北路", "首南路"],
    "330213": ["南山路", "大成路", "岳林东路", "金海路", "中山路"],
    "330281": ["阳明西路", "新建北路", "舜水南路", "南雷南路", "谭家岭东路", "北滨江路"],
    "330282": ["新城大道", "三北大街", "孙塘北路", "慈甬路", "青少年宫路", "开发大道"],
    "330226": ["跃龙路", "桃源南路", "兴宁中路", "气象北路", "金水西路", "学勉路"],
    "330225": ["丹峰路", "丹阳路", "天安路", "靖南大街", "象山港路"],
}
SCHOOLS = ["实验", "外国语", "第一", "第二", "育才", "行知", "东恩", "广济", "惠贞", "春晖"]
KINDERGARTENS = ["实验", "中心", "阳光", "童心", "蓝天", "启明", "小太阳", "七色花"]
AGENCIES = ["人民政府", "市场监督管理局", "税务局", "公安分局", "自然资源和规划局", "教育局"]
HOSPITALS = ["人民医院", "中医医院", "妇幼保健院", "第二医院"]
INDUSTRIES = ["电子", "机械", "模具", "纺织", "汽配", "电器", "港务"]
# diners per meal by kind of canteen or supplier (the 两员 thresholds read these)
DINERS = {
    BusinessType.SCHOOL_CANTEEN: [260, 380, 520, 700, 900, 1300, 1800],
    BusinessType.ELDERLY_CANTEEN: [40, 60, 90, 150, 220, 320],
    BusinessType.OTHER_CANTEEN: [60, 120, 200, 350, 600, 1100, 1600],
    BusinessType.CENTRAL_KITCHEN: [600, 900, 1500, 2500, 4000],
    BusinessType.GROUP_MEAL: [300, 600, 1100, 1800, 3000],
}
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
_SERIALS: dict[tuple[str, str], int] = {}  # (kind, division) → last serial issued by that bureau


def _person(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _mobile(rng) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def _local(district: Region) -> str:
    """How local names start: 宁波市海曙区… for a city district, 余姚市… / 宁海县… for a county-level city or county."""
    return f"宁波市{district.name}" if district.name.endswith("区") else district.name


def _company(rng, name: str, taken: set[str]) -> str:
    """A company name not used yet (two companies do not register the same name): another word after 宁波."""
    while name in taken:
        name = name.replace("宁波", f"宁波{rng.choice(WORDS)}", 1)
    taken.add(name)
    return name


def _name(rng, btype: str, grid: Region, district: Region, seq: int, profile: dict, taken: set[str]) -> str:
    """A name that fits the business's type and attributes (a chain headquarters, an importer, a special-food
    producer, a kindergarten) and, for local businesses, its street."""
    name = _plain_name(rng, btype, grid, district, seq, profile)
    company = name.startswith("宁波") and not name.startswith("宁波市")  # 宁波 + trade name: a registered company
    return _company(rng, name, taken) if company else name


def _plain_name(rng, btype: str, grid: Region, district: Region, seq: int, profile: dict) -> str:
    word = rng.choice(WORDS)
    place = grid.parent.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
    if btype == BusinessType.CATERING:
        if profile.get("chain_headquarters"):
            return f"宁波{word}餐饮连锁管理有限公司"
        return (
            f"{district.name}{rng.choice([word, rng.choice(SURNAMES) + '记', '阿' + rng.choice(SURNAMES)])}"
            f"{rng.choice(CATERING)}（{place}店）"
        )
    if btype == BusinessType.FOOD_SALES:
        if profile.get("imports_food"):
            return f"宁波{word}{rng.choice(['进出口有限公司', '进口食品贸易有限公司', '国际贸易有限公司'])}"
        return f"{_local(district)}{word}{rng.choice(SALES)}{seq % 97 + 1}号店"
    if btype == BusinessType.TAKEOUT:
        return f"{word}外卖{rng.choice(CATERING)}（{rng.choice(ROADS[district.code])}店）"
    if btype == BusinessType.FOOD_PRODUCTION:
        return f"宁波{word}{profile['product']}有限公司"
    if btype == BusinessType.SCHOOL_CANTEEN:
        return f"{_local(district)}{place}{rng.choice(SCHOOLS)}{rng.choice(['小学', '中学', '初级中学'])}食堂"
    if btype == BusinessType.KINDERGARTEN_CANTEEN:
        return f"{_local(district)}{place}{rng.choice(KINDERGARTENS)}幼儿园食堂"
    if btype == BusinessType.ELDERLY_CANTEEN:
        return f"{district.name}{place}{rng.choice(['居家养老服务中心', '颐乐园', '敬老院', '养老院'])}食堂"
    if btype == BusinessType.OTHER_CANTEEN:
        roll = rng.random()
        if roll < 0.3:
            return f"{district.name}{rng.choice(AGENCIES)}机关食堂"
        if roll < 0.45:
            return f"{district.name}{rng.choice(HOSPITALS)}职工食堂"
        return f"宁波{word}{rng.choice(INDUSTRIES)}有限公司职工食堂"
    if btype == BusinessType.CENTRAL_KITCHEN:
        return f"宁波{word}餐饮管理有限公司中央厨房"
    if btype == BusinessType.GROUP_MEAL:
        return f"宁波{word}{rng.choice(['集体用餐配送有限公司', '团膳服务有限公司'])}"
    raise ValueError(btype)


def _profile(rng, btype: str, scale: int) -> dict:
    """The attributes beyond the 业态 (and what a producer makes), drawn once so that name, licence and
    两员 rules agree."""
    profile: dict = {}
    if btype == BusinessType.FOOD_PRODUCTION:
        special = rng.random() < SPECIAL_FOOD_SHARE
        profile["product"], profile["category"] = rng.choice(SPECIAL_PRODUCTS if special else PRODUCTS)
        profile["special_food"] = special
    elif btype == BusinessType.FOOD_SALES:
        profile["imports_food"] = rng.random() < IMPORTER_SHARE
    elif btype == BusinessType.CATERING:
        profile["chain_headquarters"] = rng.random() < {Scale.LARGE: 0.3, Scale.MEDIUM: 0.04}.get(scale, 0.0)
    elif btype == BusinessType.SCHOOL_CANTEEN:
        profile["canteen_outsourced"] = rng.random() < OUTSOURCED_SHARE
    return profile


def _diners(rng, btype: str) -> int | None:
    if btype == BusinessType.KINDERGARTEN_CANTEEN:  # mostly 100–400 children and staff
        return int(rng.triangular(60, 480, 200))
    options = DINERS.get(btype)
    return rng.choice(options) if options else None


def _grids_by_district(grids: list[Region]) -> dict[str, tuple[list[Region], list[int]]]:
    """Each district's grids with a weight: urban 街道 hold more businesses than 镇, 镇 more than 乡."""
    by_district: dict[str, tuple[list[Region], list[int]]] = {}
    for grid in grids:
        street = grid.parent.name
        weight = 3 if street.endswith("街道") else 1 if street.endswith("乡") else 2
        places, weights = by_district.setdefault(grid.parent.parent.code, ([], []))
        places.append(grid)
        weights.append(weight)
    return by_district


def _holder_kind(r: float, btype: str, name: str, scale: int) -> str:
    """The USCC's first two characters (GB 32100 表1) as the holder would have them: a public school's or
    care home's canteen is held by a 事业单位 (12) or a private one by a 民办非企业单位 (52), an office canteen
    by a 机关 (11), a small shop often by an 个体工商户 (92), the rest by an 企业 (91)."""
    if btype in (BusinessType.SCHOOL_CANTEEN, BusinessType.KINDERGARTEN_CANTEEN):
        return "12" if r < 0.8 else "52"
    if "有限公司" in name and btype != BusinessType.OTHER_CANTEEN:
        return "91"
    if btype == BusinessType.ELDERLY_CANTEEN:
        return "12" if r < 0.5 else "52"
    if btype == BusinessType.OTHER_CANTEEN:
        return "11" if any(w in name for w in ("机关", "政府", "局", "委员会")) else ("12" if "医院" in name else "91")
    if btype in (BusinessType.CATERING, BusinessType.TAKEOUT, BusinessType.FOOD_SALES) and scale == 1:
        return "92" if r < 0.6 else "91"
    return "91"


def _uscc(rng, division: str, used: set[str], btype: str = "", name: str = "", scale: int = 2) -> str:
    kind = _holder_kind(rng.random(), btype, name, scale)
    while True:
        org = "".join(rng.choice(USCC_CHARSET) for _ in range(8))
        code = make_uscc(f"{kind}{division}{org}")
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
    _SERIALS.clear()
    taken: set[str] = set(Business.objects.values_list("name", flat=True))
    by_district = _grids_by_district(grids)
    district_codes = sorted(by_district)
    bureaus = {
        d.code: licensing.county_bureau(d)
        for d in Region.objects.filter(code__in=district_codes).select_related("parent")
    }
    done = 0
    total = ctx.businesses
    while done < total:
        n = min(BATCH, total - done)
        businesses, extras = [], []
        for i in range(n):
            seq = serial + done + i
            places, place_weights = by_district[rng.choice(district_codes)]  # districts alike, as before
            grid = rng.choices(places, place_weights)[0]
            district = grid.parent.parent
            btype = rng.choices(types, weights)[0]
            scale = rng.choices([Scale.SMALL, Scale.MEDIUM, Scale.LARGE], [80, 16, 4])[0]
            diners = _diners(rng, btype)
            profile = _profile(rng, btype, scale)
            status = rng.choices(
                [BusinessStatus.OPERATING, BusinessStatus.SUSPENDED, BusinessStatus.CLOSED, BusinessStatus.REVOKED],
                [92, 5, 2.6, 0.4],
            )[0]
            lat, lng = CENTRE[district.code]
            recent = rng.random() < RECENT_SHARE
            age = rng.randrange(20, 3 * 365) if recent else rng.randrange(3 * 365, 16 * 365)
            created = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=age), dt.time(9, 0)))
            road = rng.choice(ROADS[district.code])
            name = _name(rng, btype, grid, district, seq, profile, taken)
            businesses.append(
                Business(
                    name=name,
                    uscc=_uscc(rng, district.code, used, btype, name, scale),
                    type=btype,
                    scale=scale,
                    diners_per_meal=diners,
                    address=f"浙江省宁波市{district.name}{grid.parent.name}{road}{rng.randrange(1, 999)}号",
                    region=grid,
                    region_path=grid.path,
                    latitude=Decimal(f"{lat + rng.uniform(-0.08, 0.08):.6f}"),
                    longitude=Decimal(f"{lng + rng.uniform(-0.08, 0.08):.6f}"),
                    status=status,
                    imports_food=profile.get("imports_food", False),
                    chain_headquarters=profile.get("chain_headquarters", False),
                    special_food=profile.get("special_food", False),
                    canteen_outsourced=profile.get("canteen_outsourced", False),
                    legal_representative=_person(rng),
                    contact_phone=_mobile(rng),
                    created_at=created,
                    updated_at=created,
                )
            )
            extras.append((btype, profile, district.code, seq))
        licences, staff = [], []
        for business, (btype, profile, division, _seq) in zip(businesses, extras, strict=True):
            # on the register since its first licence, issued the day it opened (grade history reads the
            # register and the licences by date)
            licences.extend(_licences(rng, business, btype, profile, division, bureaus[division], today))
            required = rules.required_for(business)
            present: set[str] = set()
            # an outsourced canteen's staff are the contractor's; the school's own director is drawn from a
            # generator of its own, so the rest of the city is the same as before employers were recorded
            contractor = _contractor(business) if business.canteen_outsourced else ""
            employer = StaffEmployer.CONTRACTOR if contractor else StaffEmployer.OWN_UNIT
            for role in [r for r in ROLE_ORDER if any(k.split("_")[0] == r for k in required)]:
                if rng.random() < (0.86 if role == StaffRole.DIRECTOR else 0.95):  # a few gaps, on purpose
                    staff.append(_staff(rng, business, role, today, employer=employer, contractor=contractor))
                    present |= present_keys([(role, employer)])
            if "director_own" in required and contractor:
                own = random.Random(f"own-director-{business.uscc}")
                if own.random() < OWN_DIRECTOR_SHARE:
                    taken_names = {s.name for s in staff if s.business is business and s.role == StaffRole.DIRECTOR}
                    person = _staff(own, business, StaffRole.DIRECTOR, today)
                    while person.name in taken_names:
                        person.name = _person(own)
                    staff.append(person)
                    present |= present_keys([(StaffRole.DIRECTOR, StaffEmployer.OWN_UNIT)])
            complete, missing = rules.evaluate_for(business, present)
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
LAPSED = {
    BusinessStatus.OPERATING: 0.05,
    BusinessStatus.SUSPENDED: 0.6,
    BusinessStatus.CLOSED: 0.8,
    BusinessStatus.REVOKED: 1.0,  # a revoked licence is not valid
}
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


def _serial(kind: str, division: str) -> int:
    _SERIALS[(kind, division)] = serial = _SERIALS.get((kind, division), 0) + 1
    return serial


def _licences(
    rng, business: Business, btype: str, profile: dict, division: str, bureau: str, today: dt.date
) -> list[Licence]:
    """The business's licence, numbered and issued by its district's bureau (a special-food producer's by the
    province): SC for producers, JY for caterers, canteens and most sellers, a YB filing for sellers of
    prepackaged food only (core/data/food_licences.py has the layouts and their sources)."""
    roll = rng.random()
    if roll < NO_LICENCE:
        return []
    issued = business.created_at.date()
    if btype == BusinessType.FOOD_SALES and roll < 0.2 + NO_LICENCE:  # prepackaged food only: filed (备案)
        number = f"YB1{division}{_serial('YB', division):06d}{rng.randrange(10)}"
        return [
            Licence(
                business=business, kind=LicenceKind.FILING, number=number, issued_on=issued, issuing_authority=bureau
            )
        ]
    valid_until = _valid_until(rng, issued, business.status, today)
    if btype == BusinessType.FOOD_PRODUCTION:
        category = profile["category"]
        serial = _serial(f"SC{category}", division)
        number = f"SC{category}{division}{serial % 10000:04d}{rng.randrange(10)}"
        kind = LicenceKind.PRODUCTION
        authority = licensing.PROVINCIAL_BUREAU if category in SC_SPECIAL_CATEGORIES else bureau
    else:
        digit = licensing.JY_DIGIT[btype]
        number = f"JY{digit}{division}{_serial('JY', division):06d}{rng.randrange(10)}"
        kind = LicenceKind.BUSINESS
        authority = bureau
    return [
        Licence(
            business=business,
            kind=kind,
            number=number,
            issued_on=issued,
            valid_until=valid_until,
            issuing_authority=authority,
        )
    ]


def _contractor(business: Business) -> str:
    """The catering company that runs an outsourced canteen (a name of its own, drawn per business)."""
    own = random.Random(f"contractor-{business.uscc}")
    return f"宁波{own.choice(WORDS)}{own.choice(CONTRACTORS)}"


def _staff(
    rng, business: Business, role: str, today: dt.date, *, employer: str = StaffEmployer.OWN_UNIT, contractor: str = ""
) -> Staff:
    trained = today - dt.timedelta(days=rng.randrange(10, 700))
    assessed = trained + dt.timedelta(days=rng.randrange(0, 10))
    return Staff(
        business=business,
        role=role,
        employer=employer,
        contractor_name=contractor,
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
