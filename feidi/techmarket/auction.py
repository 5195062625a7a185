"""Technology-achievement auctions: registration, bids under the lot's lock, anti-sniping, the close."""
