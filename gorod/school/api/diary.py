"""The family's diary over the API."""

from ninja import Router

router = Router()
