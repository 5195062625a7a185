"""What an app's ``AppConfig.ready`` does, the same way in every app: its 统计查询 subjects, its
job-queue tasks, its workbench todos, its declared pages and its menu."""

from __future__ import annotations

from importlib import import_module


def start(app_name: str, *, stats: bool = False, jobs: bool = False, todos: bool = False) -> None:
    """``<app>.stats.register()`` (what 统计查询 can ask of the app's records), ``<app>.jobs``
    imported (its periodic tasks registered with Huey, its signal receivers connected) and
    ``<app>.todos.todos`` on the workbench — each where the app has it."""
    if stats:
        import_module(f"{app_name}.stats").register()
    if jobs:
        import_module(f"{app_name}.jobs")
    if todos:
        from . import workbench

        workbench.register(import_module(f"{app_name}.todos").todos)


def declared_menu(app_name: str, key: str, label: str, icon: str, order: int, others: list | None = None, *,
                  views: str = "views") -> None:
    """The menu ``key`` made of the app's declarations (``<app>.<views>``, imported here so they are
    made) and the hand-made ``others`` (``declare.menu_items``). Apps that share a menu each add
    their own entries, in the order the apps are installed."""
    from . import declare
    from .navigation import register

    import_module(f"{app_name}.{views}")
    register(key, label, icon, order, declare.menu_items(key, others, app_name))
