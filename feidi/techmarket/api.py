"""The market's API: demands, supplies, matches and pushes (api_market), challenges, applications,
reviews and joint projects (api_challenge), auctions, lots and bids (api_auction)."""

from ninja import Router

from . import api_auction, api_challenge, api_market

router = Router()
router.add_router("/", api_market.router)
router.add_router("/", api_challenge.router)
router.add_router("/", api_auction.router)
