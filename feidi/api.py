"""Assembles the API: each app contributes a router."""

from feidi.accounts.api import router as accounts_router  # noqa: E402
from feidi.auctions.api import router as auctions_router  # noqa: E402
from feidi.chains.api import router as chains_router  # noqa: E402
from feidi.challenges.api import router as challenges_router  # noqa: E402
from feidi.core.api import api
from feidi.core.api_core import router as core_router  # noqa: E402
from feidi.indicators.api import router as indicators_router  # noqa: E402
from feidi.intel.api import router as intel_router  # noqa: E402
from feidi.policies.api import router as policies_router  # noqa: E402
from feidi.projects.api import router as projects_router  # noqa: E402
from feidi.registry.api import router as registry_router  # noqa: E402
from feidi.services.api import router as services_router  # noqa: E402
from feidi.techmarket.api import router as techmarket_router  # noqa: E402

api.add_router("/accounts/", accounts_router)
api.add_router("/core/", core_router)
api.add_router("/registry/", registry_router)
api.add_router("/services/", services_router)
api.add_router("/chains/", chains_router)
api.add_router("/projects/", projects_router)
api.add_router("/indicators/", indicators_router)
api.add_router("/techmarket/", techmarket_router)
api.add_router("/techmarket/", challenges_router)  # their own apps, the paths kept
api.add_router("/techmarket/", auctions_router)
api.add_router("/policies/", policies_router)
api.add_router("/intel/", intel_router)
