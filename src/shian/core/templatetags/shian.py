from django import template

from ..charts import bar_chart_svg

register = template.Library()


@register.simple_tag
def bar_chart(chart):
    return bar_chart_svg(chart)


@register.filter
def mask_phone(value: str) -> str:
    """138****1234 (common PIPL masking practice)."""
    v = (value or "").strip()
    if len(v) == 11 and v.isdigit():
        return f"{v[:3]}****{v[7:]}"
    return v


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def sort_link(context, key: str, label: str) -> str:
    """A column header link that toggles ascending/descending sort, keeping the other filters."""
    from django.utils.html import format_html

    request = context["request"]
    current = request.GET.get("sort", context.get("sort", ""))
    params = request.GET.copy()
    params.pop("page", None)
    params["sort"] = f"-{key}" if current == key else key
    arrow = " ▲" if current == key else " ▼" if current == f"-{key}" else ""
    return format_html('<a href="?{}">{}{}</a>', params.urlencode(), label, arrow)


@register.simple_tag
def points_map(points):
    from ..charts import points_map_svg

    return points_map_svg(points)
