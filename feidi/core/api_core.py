"""Core API: dictionaries (read by every client for its choice lists)."""

from __future__ import annotations

from ninja import Router, Schema

from .models import DictItem

router = Router(tags=["字典 core"])


class DictItemSchema(Schema):
    id: int
    type: str
    code: str
    label: str
    order: int
    active: bool

    @staticmethod
    def resolve_type(obj):
        return obj.type.code


@router.get("/dictionaries/{type_code}", response=list[DictItemSchema], summary="字典条目")
def dictionary(request, type_code: str):
    return DictItem.objects.visible_to(request.user).filter(type__code=type_code).select_related("type")
