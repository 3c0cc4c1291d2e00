# ruff: noqa: E501 - one translation per line reads best
"""Issue 9 (registry): credit-code structure, licence numbers by district bureau, filing numbers, business
attributes in the register's pages, import columns."""

ZH = {
    # GB 32100 credit codes: which part is wrong
    "Unified social credit code: character 1, the registration authority code, is %(c)s, which is not in the GB 32100 table (%(codes)s).": "统一社会信用代码第1位登记管理部门代码为 %(c)s，不在 GB 32100 代码表中（%(codes)s）。",
    "Unified social credit code: character 2, the organisation type code, is %(c)s, which is not a type of registration authority %(a)s %(name)s (allowed: %(codes)s).": "统一社会信用代码第2位机构类别代码为 %(c)s，不是登记管理部门 %(a)s（%(name)s）的机构类别（可用：%(codes)s）。",
    "Unified social credit code: characters 3–8, the administrative division code %(d)s, do not start with a GB/T 2260 province code (%(p)s is none).": "统一社会信用代码第3–8位登记管理机关行政区划码 %(d)s 不以 GB/T 2260 省级代码开头（%(p)s 不是省级代码）。",
    "Unified social credit code: character 18, the check character, is wrong (expected %(expected)s, got %(got)s).": "统一社会信用代码第18位校验码错误（应为 %(expected)s，实为 %(got)s）。",
    "Unified social credit code: characters 9–17, the embedded organisation code %(org)s, fail its GB 11714 check.": "统一社会信用代码第9–17位主体标识码（组织机构代码）%(org)s 未通过 GB 11714 校验。",
    # licence and filing numbers
    "Food production licence number: digits 1–3, the food category %(c)s, are not a category of the food production licence catalogue (101–131 food, 201–203 additives).": "食品生产许可证编号第1–3位食品类别编码 %(c)s 不在《食品生产许可分类目录》中（食品 101–131，食品添加剂 201–203）。",
    "Food production licence number: digits 4–9, the division %(d)s, do not start with a province code.": "食品生产许可证编号第4–9位行政区划代码 %(d)s 不以省级代码开头。",
    "Food business licence number: digits 2–7, the division %(d)s, do not start with a province code.": "食品经营许可证编号第2–7位行政区划代码 %(d)s 不以省级代码开头。",
    "Filing number must be YB followed by 14 digits, the first being 1 (food sales), as the 2023 measures set out (e.g. YB13302030000011).": "备案编号应为 YB 加 14 位数字，第1位为 1（食品销售），见 2023 年《食品经营许可和备案管理办法》（如 YB13302030000011）。",
    "Filing number: digits 2–7, the division %(d)s, do not start with a province code.": "备案编号第2–7位行政区划代码 %(d)s 不以省级代码开头。",
    # warnings on a business's licences
    "The licence number's division digits %(number)s are not the code of %(district)s (%(code)s), where the business is.": "许可证编号中的行政区划代码 %(number)s 与经营者所在的%(district)s（%(code)s）不一致。",
    "The licence's business-type digit is %(got)s; a %(type)s is licensed under %(expected)s.": "许可证编号的主体业态代码为 %(got)s，%(type)s应为 %(expected)s。",
    "Food business licences are issued by the district or county bureau (%(bureau)s), not %(got)s.": "食品经营许可证由区县市场监管部门（%(bureau)s）核发，不是%(got)s。",
    # pages and import
    "Issuing authority": "发证机关",
    "Attributes": "其他属性",
    "Attribute": "属性",
    "not yes or no (use 是 or 否)": "不是“是”或“否”（请填 是 或 否）",
}
