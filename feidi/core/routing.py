from django.urls import path


def crud_urls(prefix: str, name: str, list_view, detail_view, edit_view, delete_view, *, add_view=None) -> list:
    """The five routes of a record type, named ``<name>_list/add/detail/edit/delete``; new records
    on the edit form unless the type has an ``add_view`` of its own."""
    return [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", (add_view or edit_view).as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", delete_view.as_view(), name=f"{name}_delete"),
    ]
