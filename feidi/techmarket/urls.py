"""The market's pages: demands, supplies, pushes and talents (urls_market), 揭榜挂帅 challenges
and joint projects (urls_challenge), auctions (urls_auction)."""

from . import urls_auction, urls_challenge, urls_market

app_name = "techmarket"

urlpatterns = [*urls_market.urlpatterns, *urls_challenge.urlpatterns, *urls_auction.urlpatterns]
