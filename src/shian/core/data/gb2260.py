"""GB/T 2260 中华人民共和国行政区划代码: the province-level codes (the first two digits of every division
code), and Ningbo's county-level divisions.

Used to check positions 3–8 of a unified social credit code (the registering authority's division) and
the division digits of licence numbers. 71 台湾, 81 香港 and 82 澳门 are GB/T 2260 codes but no mainland
registration authority issues credit codes under them, so they are not accepted here; ``NATIONAL``
(100000) is used for registrations by national authorities.
"""

SOURCE = (
    "GB/T 2260-2007《中华人民共和国行政区划代码》及民政部现行县级以上行政区划代码；宁波市所辖县级行政区按"
    "2016年调整后的现状（国函〔2016〕182号：撤销江东区并入鄞州区，撤销县级奉化市设立奉化区）"
)

PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
}
NATIONAL = "100000"  # registrations by a national (central) authority

NINGBO = ("330200", "宁波市")
NINGBO_COUNTIES: dict[str, str] = {
    "330203": "海曙区",
    "330205": "江北区",
    "330206": "北仑区",
    "330211": "镇海区",
    "330212": "鄞州区",
    "330213": "奉化区",
    "330225": "象山县",
    "330226": "宁海县",
    "330281": "余姚市",
    "330282": "慈溪市",
}
