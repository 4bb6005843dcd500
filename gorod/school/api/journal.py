"""The teacher's journal over the API."""

from ninja import Router

router = Router()
