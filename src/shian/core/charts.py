"""Server-side SVG bar charts: no JavaScript, works offline and prints well."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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


def points_map_svg(points: list[tuple[float, float, str]], *, width: int = 560, height: int = 360) -> SafeString:
    """An offline 'map': numbered markers at (latitude, longitude), scaled to their bounding box, with
    a scale hint. No tiles, no network — enough to plan a route between the day's visits."""
    pts = [(float(lat), float(lng), label) for lat, lng, label in points if lat is not None and lng is not None]
    if not pts:
        return mark_safe("")  # noqa: S308 - constant
    lats, lngs = [p[0] for p in pts], [p[1] for p in pts]
    pad = 0.01
    lo_lat, hi_lat, lo_lng, hi_lng = min(lats) - pad, max(lats) + pad, min(lngs) - pad, max(lngs) + pad
    span = max(hi_lat - lo_lat, hi_lng - lo_lng)
    km = span * 111

    def xy(lat: float, lng: float) -> tuple[float, float]:
        return 20 + (lng - lo_lng) / span * (width - 40), height - 20 - (lat - lo_lat) / span * (height - 40)

    label = escape(_("Map"))
    parts = [
        f'<svg class="map" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{label}" '
        f'xmlns="http://www.w3.org/2000/svg"><rect width="{width}" height="{height}" class="map-bg"/>'
    ]
    for i, (lat, lng, label) in enumerate(pts, start=1):
        x, y = xy(lat, lng)
        parts.append(
            f'<g><circle cx="{x:.1f}" cy="{y:.1f}" r="9" class="pin"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" class="pin-n">{i}</text>'
            f"<title>{escape(label)}</title></g>"
        )
    parts.append(f'<text x="{width - 10}" y="{height - 6}" text-anchor="end" class="val">≈ {km:.1f} km</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above
