"""The numbering of food production licences (SC), food business licences (JY) and filings for
businesses that only sell prepackaged food (YB), with the food categories of SC numbers.

SC (食品生产许可管理办法, SAMR Order 24 of 2020, Art. 29): SC + 3-digit food category + 2 province +
2 city + 2 county + 4 serial + 1 check digit. The category's first digit is 1 for food and 2 for food
additives; the next two are the category number of 食品生产许可分类目录 (food 01–31 in the order of the
categories of the measures; additives 01–03).

JY (食品经营许可和备案管理办法, SAMR Order 78 of 2023, in force 2023-12-01): JY + 1 main business-type digit
+ 2 province + 2 city + 2 county + 6 serial + 1 check digit; licences are issued by the county-level
bureau where the business is (Art. 4, local delegation).

YB filings (same measures, chapter on 仅销售预包装食品备案): YB + 1 business-type digit (1, sales) +
2 province + 2 city + 2 county + 6 serial + 1 check digit. This layout is taken from the measures as we
read them; the search tools available when it was written did not return the text, so it is marked
unverified here — check it against the published Order 78 before relying on it.

The check-digit algorithms are not published in the measures: only formats are validated.
"""

SC_SOURCE = (
    "食品生产许可管理办法（市场监管总局令第24号，2020）第二十九条; 食品生产许可分类目录（市场监管总局公告2020年第8号 "
    "附件）: 许可证编号第3–5位为食品类别编码，首位 1 为食品（1 + 目录类别序号，101–131），"
    "首位 2 为食品添加剂（201–203）"
)
JY_SOURCE = "食品经营许可和备案管理办法（市场监管总局令第78号，2023-12-01施行）: 许可证编号 JY+14位"
YB_SOURCE = (
    "食品经营许可和备案管理办法（市场监管总局令第78号，2023-12-01施行）: 仅销售预包装食品备案编号 YB+14位 "
    "（格式按该办法条文理解，尚未与公布文本逐条核对，待核实）"
)

# SC food category (3 digits) → name
SC_CATEGORIES: dict[str, str] = {
    "101": "粮食加工品",
    "102": "食用油、油脂及其制品",
    "103": "调味品",
    "104": "肉制品",
    "105": "乳制品",
    "106": "饮料",
    "107": "方便食品",
    "108": "饼干",
    "109": "罐头",
    "110": "冷冻饮品",
    "111": "速冻食品",
    "112": "薯类和膨化食品",
    "113": "糖果制品",
    "114": "茶叶及相关制品",
    "115": "酒类",
    "116": "蔬菜制品",
    "117": "水果制品",
    "118": "炒货食品及坚果制品",
    "119": "蛋制品",
    "120": "可可及焙烤咖啡产品",
    "121": "食糖",
    "122": "水产制品",
    "123": "淀粉及淀粉制品",
    "124": "糕点",
    "125": "豆制品",
    "126": "蜂产品",
    "127": "保健食品",
    "128": "特殊医学用途配方食品",
    "129": "婴幼儿配方食品",
    "130": "特殊膳食食品",
    "131": "其他食品",
    "201": "食品添加剂",
    "202": "食品用香精",
    "203": "复配食品添加剂",
}
# special foods (特殊食品, Food Safety Law ch. IV §4): licensed by the provincial bureau
SC_SPECIAL_CATEGORIES = frozenset({"127", "128", "129"})

# JY main business-type digit → name
JY_BUSINESS_TYPES: dict[str, str] = {"1": "食品销售经营者", "2": "餐饮服务经营者", "3": "单位食堂"}
# YB business-type digit → name (only sellers of prepackaged food file)
YB_BUSINESS_TYPES: dict[str, str] = {"1": "食品销售经营者"}


def sc_division(number: str) -> str:
    return number[5:11]


def jy_division(number: str) -> str:
    return number[3:9]


def yb_division(number: str) -> str:
    return number[3:9]
