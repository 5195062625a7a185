from ninja import Router

router = Router(tags=["科技大市场 techmarket"])
