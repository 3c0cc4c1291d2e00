"""Server-side SVG bar charts: no JavaScript, works offline and prints well."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .kpis import Chart


def bar_chart_svg(chart: Chart, *, width: int = 560, bar_height: int = 22, label_width: int = 120) -> SafeString:
    bars = chart.bars
    if not bars:
        return mark_safe("")  # noqa: S308 - constant
    top = max([b.value for b in bars] + [chart.max_value or 0]) or 1
    plot = width - label_width - 70
    height = bar_height * len(bars) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(chart.title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * bar_height
        w = max(1.0, plot * bar.value / top) if bar.value else 0
        value = f"{bar.value:.1f}{chart.unit}" if isinstance(bar.value, float) else f"{bar.value}{chart.unit}"
        label = escape(bar.label)
        rect = (
            f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{bar_height - 7}" '
            f'class="bar"><title>{label}: {escape(value)}</title></rect>'
        )
        if bar.url:
            rect = f'<a href="{escape(bar.url)}">{rect}</a>'
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height / 2 + 4}" text-anchor="end" class="lbl">{label}</text>'
            f"{rect}"
            f'<text x="{label_width + w + 6:.1f}" y="{y + bar_height / 2 + 4}" class="val">{escape(value)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
