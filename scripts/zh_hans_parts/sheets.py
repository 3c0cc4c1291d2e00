# ruff: noqa: E501 - one translation per line reads best
"""Simplified Chinese for reading uploaded spreadsheets within limits (core/spreadsheets.py) and for uploaded
files (core/files.py): issue 10, items 1 and 12."""

ZH = {
    # the archive (an .xlsx is a zip)
    "%(file)s is not a readable .xlsx workbook (%(err)s).": "%(file)s 不是可读取的 .xlsx 工作簿（%(err)s）。",
    "%(file)s holds %(n)d parts; a workbook may hold at most %(limit)d.": "%(file)s 包含 %(n)d 个部件；一个工作簿最多 %(limit)d 个。",
    "%(file)s is encrypted (part %(part)s); save it without a password.": "%(file)s 已加密（部件 %(part)s）；请去掉密码后另存再上传。",
    "%(file)s uses an unusual compression (part %(part)s); save it again from Excel or WPS.": "%(file)s 使用了不常见的压缩方式（部件 %(part)s）；请用 Excel 或 WPS 重新保存。",
    "%(file)s contains another zip file (part %(part)s); remove embedded files.": "%(file)s 内嵌了另一个压缩文件（部件 %(part)s）；请删除嵌入的文件。",
    "%(file)s: part %(part)s declares a document type (XML entities), which is refused.": "%(file)s：部件 %(part)s 声明了文档类型（XML 实体），不予接受。",
    "%(file)s inflates to more than %(limit)s MB (part %(part)s alone to over %(mb)s MB); a workbook may hold at most %(limit)s MB uncompressed.": "%(file)s 解压后超过 %(limit)s MB（仅部件 %(part)s 就超过 %(mb)s MB）；工作簿解压后最多 %(limit)s MB。",
    "%(file)s is damaged: part %(part)s is not what the zip says it is.": "%(file)s 已损坏：部件 %(part)s 与压缩包记录的不符。",
    "%(file)s: part %(part)s inflates %(ratio)d times (%(mb)s MB); at most %(limit)d times is accepted (a zip bomb?).": "%(file)s：部件 %(part)s 解压后膨胀 %(ratio)d 倍（%(mb)s MB）；最多接受 %(limit)d 倍（疑为压缩炸弹）。",
    "%(file)s: part %(part)s is not well-formed XML (%(err)s).": "%(file)s：部件 %(part)s 不是格式正确的 XML（%(err)s）。",
    "%(file)s: part %(part)s is %(mb)s MB, far more than such a part holds.": "%(file)s：部件 %(part)s 有 %(mb)s MB，远超此类部件应有的大小。",
    "%(file)s has no worksheet.": "%(file)s 没有工作表。",
    "%(file)s: part %(part)s holds more than %(limit)d strings, more than the cells allowed.": "%(file)s：部件 %(part)s 包含超过 %(limit)d 个字符串，多于允许的单元格数。",
    # the sheets: declared and actual extent
    "%(file)s, sheet %(sheet)s: %(ref)s is not a cell reference.": "%(file)s，工作表 %(sheet)s：%(ref)s 不是单元格引用。",
    "%(file)s, sheet %(sheet)s declares its used range as %(range)s, beyond the limits (at most %(rows)d data rows and %(cols)d columns); delete everything below and to the right of your data and save again.": "%(file)s，工作表 %(sheet)s 声明的使用范围为 %(range)s，超出限制（最多 %(rows)d 行数据、%(cols)d 列）；请删除数据下方和右侧的所有内容后重新保存。",
    "%(file)s, sheet %(sheet)s: the used range reaches %(cell)s, beyond the limits (at most %(rows)d data rows and %(cols)d columns); delete everything below and to the right of your data and save again.": "%(file)s，工作表 %(sheet)s：使用范围到达 %(cell)s，超出限制（最多 %(rows)d 行数据、%(cols)d 列）；请删除数据下方和右侧的所有内容后重新保存。",
    "%(file)s, sheet %(sheet)s: cell %(cell)s is beyond the limits (at most %(rows)d data rows and %(cols)d columns); delete everything below and to the right of your data and save again.": "%(file)s，工作表 %(sheet)s：单元格 %(cell)s 超出限制（最多 %(rows)d 行数据、%(cols)d 列）；请删除数据下方和右侧的所有内容后重新保存。",
    "%(file)s, sheet %(sheet)s: the used range reaches %(cell)s, more than %(limit)d cells; split the file.": "%(file)s，工作表 %(sheet)s：使用范围到达 %(cell)s，超过 %(limit)d 个单元格；请拆分文件。",
    "%(file)s, sheet %(sheet)s: the used range reaches %(cell)s but only %(n)d cells hold anything; delete the stray cells far from your data and save again.": "%(file)s，工作表 %(sheet)s：使用范围到达 %(cell)s，但只有 %(n)d 个单元格有内容；请删除远离数据区域的零散单元格后重新保存。",
    "%(file)s, sheet %(sheet)s: %(rows)d rows × %(cols)d columns is beyond the limits.": "%(file)s，工作表 %(sheet)s：%(rows)d 行 × %(cols)d 列，超出限制。",
    # rows as they are read
    "%(file)s, sheet %(sheet)s: cell %(cell)s holds %(n)d characters; a cell may hold at most %(limit)d.": "%(file)s，工作表 %(sheet)s：单元格 %(cell)s 有 %(n)d 个字符；每个单元格最多 %(limit)d 个字符。",
    "%(file)s, sheet %(sheet)s: row %(row)d is past the limit of %(limit)d data rows; split the file.": "%(file)s，工作表 %(sheet)s：第 %(row)d 行超出 %(limit)d 行数据的限制；请拆分文件。",
    "%(file)s, sheet %(sheet)s: row %(row)d has %(n)d columns; at most %(limit)d are read.": "%(file)s，工作表 %(sheet)s：第 %(row)d 行有 %(n)d 列；最多读取 %(limit)d 列。",
    # CSV
    "%(file)s: record %(row)d has more than %(n)d separators; at most %(limit)d columns are read.": "%(file)s：第 %(row)d 条记录的分隔符超过 %(n)d 个；最多读取 %(limit)d 列。",
    "%(file)s: the CSV cannot be parsed near record %(row)d: %(err)s": "%(file)s：第 %(row)d 条记录附近无法解析 CSV：%(err)s",
}

ZH.update(
    {
        # uploaded images, re-encoded (core/files.py)
        "%(name)s is not a readable %(kind)s image.": "%(name)s 不是可读取的 %(kind)s 图片。",
        "%(name)s is %(w)d × %(h)d pixels; images may have at most %(max)d million.": "%(name)s 为 %(w)d × %(h)d 像素；图片最多 %(max)d 百万像素。",
    }
)
