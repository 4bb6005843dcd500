"""ASGI entry point, for completeness; gorod is served over WSGI (see DESIGN.md: measured
2-14x slower under ASGI for sync Django views)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorod.settings")

application = get_asgi_application()
