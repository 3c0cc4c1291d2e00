from django.urls import reverse

from . import navigation as nav_registry


def navigation(request):
    """The header's navigation entries the current user may see, with the active one marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for item in nav_registry.items_for(user):
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
