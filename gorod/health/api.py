"""Doctor appointments over HTTP (mounted at /api/v1/health)."""

from ninja import Router

router = Router(tags=["health"])
