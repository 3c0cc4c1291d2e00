"""GB 32100-2015 法人和其他组织统一社会信用代码编码规则, Table 1 (登记管理部门代码 and 机构类别代码), with the
registration authorities allocated since (A 中央军委改革和编制办公室, N 农业).

Position 1 of the code is the registration authority, position 2 the organisation type *within* that
authority. Extend ``AUTHORITIES`` when the code administrator allocates a new authority or type: the
validator reads this table and nothing else.
"""

SOURCE = (
    "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》表1 登记管理部门和机构类别代码；A、N 两行为代码"
    "管理机构后续分配的代码，依据广泛转载的代码表（如 https://osuse.cn/post/10002590.html ，2026-11-29 查阅）"
)

# authority code → (authority name, {organisation-type code: type name})
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他（不再具体划分机构类别）"}),
}
