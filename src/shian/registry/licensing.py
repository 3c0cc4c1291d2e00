"""Who issues a licence, and what a licence number says about where the business is.

JY food business licences are issued by the county-level bureau where the business is (食品经营许可和备案
管理办法, SAMR Order 78 of 2023, Art. 4 and Zhejiang's delegation to 县级市场监管部门), so the number's
division digits are that county's GB/T 2260 code. SC food production licences for special foods
(保健食品, 特殊医学用途配方食品, 婴幼儿配方食品) are issued by the provincial bureau (食品生产许可管理办法,
SAMR Order 24 of 2020, Art. 7); other SC licences in Zhejiang by the county-level bureau.

A mismatch is a warning, not a refusal: a business that moved keeps its number until the next change of
licence, and historical numbers carry division codes that no longer exist (江东区 330204 merged into
鄞州区 in 2016).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shian.core.data.food_licences import SC_SPECIAL_CATEGORIES, jy_division, sc_division, yb_division
from shian.core.models import Region

from .choices import BusinessType, LicenceKind

PROVINCIAL_BUREAU = "浙江省市场监督管理局"
# the JY main business-type digit each 业态 is licensed under (Order 78: 1 销售, 2 餐饮服务, 3 单位食堂)
JY_DIGIT = {
    BusinessType.FOOD_SALES: "1",
    BusinessType.CATERING: "2",
    BusinessType.TAKEOUT: "2",
    BusinessType.CENTRAL_KITCHEN: "2",
    BusinessType.GROUP_MEAL: "2",
    BusinessType.SCHOOL_CANTEEN: "3",
    BusinessType.KINDERGARTEN_CANTEEN: "3",
    BusinessType.ELDERLY_CANTEEN: "3",
    BusinessType.OTHER_CANTEEN: "3",
}


def county_bureau(district: Region) -> str:
    """The county-level market-regulation bureau's name: 宁波市海曙区市场监督管理局 for a city district,
    余姚市市场监督管理局 / 宁海县市场监督管理局 for a county-level city or county."""
    city = district.parent.name if district.parent_id and district.name.endswith("区") else ""
    return f"{city}{district.name}市场监督管理局"


def issuing_authority(kind: str, district: Region, *, category: str = "") -> str:
    if kind == LicenceKind.PRODUCTION and category in SC_SPECIAL_CATEGORIES:
        return PROVINCIAL_BUREAU
    return county_bureau(district)


def district_of(region: Region | None) -> Region | None:
    """The county-level division a region lies in (regions are city → district → street → grid)."""
    from shian.core.choices import RegionLevel

    while region is not None and region.level > RegionLevel.DISTRICT:
        region = region.parent
    return region if region is not None and region.level == RegionLevel.DISTRICT else None


def number_division(kind: str, number: str) -> str | None:
    if kind == LicenceKind.PRODUCTION and len(number) == 16:
        return sc_division(number)
    if kind == LicenceKind.BUSINESS and len(number) == 16:
        return jy_division(number)
    if kind == LicenceKind.FILING and number.startswith("YB") and len(number) == 16:
        return yb_division(number)
    return None


def licence_warnings(licence, business=None) -> list[str]:
    """What looks wrong about a (valid) licence given its business: its division digits are not the
    business's district, a JY licence's business-type digit is not the business's 业态, or a JY licence
    names an issuing authority other than the district's bureau."""
    business = business or licence.business
    district = district_of(business.region)
    warnings: list[str] = []
    if district is None:
        return warnings
    division = number_division(licence.kind, licence.number)
    if division and division != district.code:
        warnings.append(
            _(
                "The licence number's division digits %(number)s are not the code of %(district)s (%(code)s), "
                "where the business is."
            )
            % {"number": division, "district": district.name, "code": district.code}
        )
    if licence.kind == LicenceKind.BUSINESS and len(licence.number) == 16:
        expected = JY_DIGIT.get(business.type)
        if expected and licence.number[2] != expected:
            warnings.append(
                _("The licence's business-type digit is %(got)s; a %(type)s is licensed under %(expected)s.")
                % {"got": licence.number[2], "type": business.get_type_display(), "expected": expected}
            )
        if licence.issuing_authority and district.name not in licence.issuing_authority:
            warnings.append(
                _("Food business licences are issued by the district or county bureau (%(bureau)s), not %(got)s.")
                % {"bureau": county_bureau(district), "got": licence.issuing_authority}
            )
    return warnings
