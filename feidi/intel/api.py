from ninja import Router

router = Router(tags=["招商情报 intel"])
