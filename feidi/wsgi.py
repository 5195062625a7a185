"""The web application (gunicorn, ``feidi serve``). It refuses to start without collected static
files: every page would otherwise answer 500 (whitenoise's manifest lookup fails) — better one
clear message at start-up than a broken site."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
application = get_wsgi_application()

from feidi.core.startup import require_collected_static  # noqa: E402 (after Django is set up)

require_collected_static()
