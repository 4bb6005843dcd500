"""Placeholder: the record's JSON API, filled in by its author."""

from ninja import Router

router = Router(tags=["medical record"])
