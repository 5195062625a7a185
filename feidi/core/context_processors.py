from . import navigation as nav


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    if not user.is_authenticated:
        return {"nav_menus": []}
    from . import workbench
    from .models import Notification

    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True).count()
    return {"nav_menus": nav.for_user(user), "unread_notifications": unread,
            "todo_count": workbench.count_for(user)}
