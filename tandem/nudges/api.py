"""Nudges over HTTP: thin — guard, then a service or selector, then a schema."""

from ninja import Router

router = Router(tags=["nudges"])
