from django.urls import reverse

from . import navigation as nav_registry


def navigation(request):
    """The header's navigation entries the current user may see, with the active one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [{"label": item.label, "url": reverse(item.url_name)} for item in nav_registry.items_for(user)]
    # the entry whose address is the longest prefix of this page is the active one (plans, not inspections)
    matches = [i for i in items if request.path.startswith(i["url"])]
    current = max(matches, key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is current
    return {"nav_items": items}
