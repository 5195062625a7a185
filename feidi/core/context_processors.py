from . import navigation as nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"nav_menus": nav.for_user(user) if user.is_authenticated else []}
