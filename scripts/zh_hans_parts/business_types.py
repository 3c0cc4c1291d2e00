# ruff: noqa: E501 - one translation per line reads best
"""Business types and attributes the 2022/2025 rules need (issue 9: terminology and 两员 categories)."""

ZH = {
    "Kindergarten canteen": "幼儿园食堂",
    "Elderly-care institution canteen": "养老机构食堂",
    "Other workplace canteen": "其他单位食堂",
    "Group-meal distributor": "集体用餐配送单位",
    "Online catering provider": "入网餐饮服务提供者",
    "imports food": "进口食品",
    "chain headquarters": "连锁总部",
    "special foods": "特殊食品",
    "Produces health foods, infant formula or foods for special medical purposes.": "生产保健食品、婴幼儿配方食品或特殊医学用途配方食品。",
    "canteen outsourced": "食堂委托经营",
    "The canteen is run by a contracted catering company.": "食堂由受委托的餐饮服务单位经营。",
}

ZH_CONTEXT = {
    ("business status", "Deregistered"): "注销",
    ("business status", "Licence revoked"): "吊销",
}
