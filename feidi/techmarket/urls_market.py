"""Filled by its module's views."""

urlpatterns: list = []
