"""The web application (gunicorn, ``feidi serve``). It refuses to start without collected static
files: every page would otherwise answer 500 (whitenoise's manifest lookup fails) — better one
clear message at start-up than a broken site. What start-up made is then frozen out of the
garbage collector's full collections (``startup.freeze_startup_objects``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
application = get_wsgi_application()

# imported once Django is set up
from feidi.core.startup import freeze_startup_objects  # noqa: E402
from feidi.core.startup import require_collected_static  # noqa: E402

require_collected_static()
freeze_startup_objects()
