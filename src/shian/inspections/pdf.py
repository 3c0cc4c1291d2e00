"""The inspection record as a PDF in Chinese (reportlab's built-in CJK font: nothing to install).

Titled as the form SAMR Order 49 (食品生产经营监督检查管理办法, 2021) has the business display until the next
inspection (Art. 39): 食品生产经营监督检查结果记录表 (the 2016 form, under the repealed CFDA Order 23, was the
食品生产经营日常监督检查结果记录表). Every stored text (names, addresses, notes, the summary) is escaped
before it becomes a reportlab ``Paragraph``, whose text is markup: unescaped, ``<`` breaks the record and
``<img src=…>`` would embed a file of the server."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Inspection, Outcome

FONT = "STSong-Light"
TITLE = "食品生产经营监督检查结果记录表"
OUTCOME_ZH = {Outcome.PASS: "是", Outcome.FAIL: "否", Outcome.NA: "合理缺项", Outcome.PENDING: "未检查"}
CONCLUSION_ZH = {"conform": "符合", "basically": "基本符合", "nonconform": "不符合", "": "（未结束）"}


def inspection_pdf(inspection: Inspection) -> bytes:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title = ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=FONT, fontSize=10, leading=14)
    small = ParagraphStyle("s", fontName=FONT, fontSize=9, leading=12)
    b = inspection.business
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLE,
    )
    story = [Paragraph(TITLE, title), Spacer(1, 4 * mm)]
    head = [
        ["被检查单位", b.name, "统一社会信用代码", b.uscc],
        ["地址", b.address, "检查日期", str(inspection.inspected_on)],
        [
            "检查表",
            str(inspection.template),
            "检查人员",
            inspection.inspector.display_name if inspection.inspector else "",
        ],
    ]
    story.append(
        _table([[Paragraph(escape(str(c)), small) for c in row] for row in head], [28 * mm, 62 * mm, 30 * mm, 60 * mm])
    )
    story.append(Spacer(1, 4 * mm))
    rows = [[Paragraph(h, small) for h in ("序号", "检查项目", "重点项", "结果", "说明")]]
    for r in inspection.results.select_related("item").prefetch_related("photos"):
        photos = len(r.photos.all())
        rows.append(
            [
                Paragraph(str(r.item.order), small),
                Paragraph(escape(f"【{r.item.section}】{r.item.text}"), small),
                Paragraph("★" if r.item.is_key else "", small),
                Paragraph(OUTCOME_ZH[r.outcome], small),
                Paragraph(escape(r.note) + (f"（照片 {photos} 张）" if photos else ""), small),
            ]
        )
    story.append(_table(rows, [12 * mm, 100 * mm, 14 * mm, 18 * mm, 36 * mm], header=True))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            f"检查结果：<b>{CONCLUSION_ZH[inspection.conclusion]}</b>（重点项不符合 {inspection.key_failures} 项，"
            f"一般项不符合 {inspection.general_failures} 项）",
            body,
        )
    )
    if inspection.summary:
        story.append(Paragraph(f"检查意见：{escape(inspection.summary)}", body))
    story.append(Spacer(1, 10 * mm))
    story.append(
        Paragraph(
            f"检查人员签字：{escape(inspection.inspector.display_name) if inspection.inspector else ''}"
            f"　　　　被检查单位负责人签字：{escape(inspection.representative)}",
            body,
        )
    )
    signatures = [_signature(f) for f in (inspection.inspector_signature, inspection.representative_signature)]
    if any(signatures):
        story.append(Table([[s or "" for s in signatures]], colWidths=[90 * mm, 90 * mm]))
    doc.build(story)
    return out.getvalue()


def _table(rows, widths, header=False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")))
    table.setStyle(TableStyle(style))
    return table


def _signature(field):
    if not field:
        return None
    try:
        with field.open("rb") as fh:
            data = io.BytesIO(fh.read())
    except FileNotFoundError:  # named in the database, gone from storage: the record prints without it
        return None
    return Image(data, width=60 * mm, height=22 * mm)
