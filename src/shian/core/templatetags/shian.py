from django import template

from ..charts import bar_chart_svg

register = template.Library()


@register.simple_tag
def bar_chart(chart):
    return bar_chart_svg(chart)


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


@register.simple_tag(takes_context=True)
def may(context, action: str, target) -> bool:
    """``{% may "record_visit" assignment as can_record %}`` — the access policy's answer for the
    current user (an object: its grant, scope and rules; a label like "registry.business": the grant).
    Templates ask this instead of testing roles."""
    from shian.core import policy

    user = context.get("user") or getattr(context.get("request"), "user", None)
    return user is not None and policy.may(user, action, target)


@register.inclusion_tag("core/_pager.html", takes_context=True)
def pager(context, page):
    """The one pager of every list: previous/next, page numbers with gaps (1 … 4 5 6 … 100) and the
    total, keeping the other query parameters (Django's ``{% querystring %}``)."""
    paginator = page.paginator
    return {
        "request": context.get("request"),
        "page": page,
        "numbers": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "ellipsis": paginator.ELLIPSIS,
    }


@register.filter
def kpi_tone(value, kpi_key: str) -> str:
    """``{{ rate|kpi_tone:"oversight_rate" }}``: good / warn / bad by the KPI provider's thresholds."""
    from shian.core import kpis

    return kpis.tone(kpi_key, value)


@register.simple_tag(takes_context=True)
def home_card(context, card):
    """A home card (core.home.Card) rendered with its own context and the page's request/user/csrf."""
    from django.template.loader import render_to_string

    request = context.get("request")
    return render_to_string(card.template, card.context, request=request)
