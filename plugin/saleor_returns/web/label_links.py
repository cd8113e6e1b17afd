"""Where a label is downloaded: an unguessable, signed path that expires."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..domain.labels import Label
from ..settings import settings_of
from .signed_links import sign_path


def label_path(label_id: str) -> str:
    return f"/labels/{label_id}.pdf"


def label_link(ctx: Any, label: Label) -> str:
    """An absolute link for the asker of this request (a GraphQL context: deps + link())."""
    deps = ctx.deps
    expires = deps.clock.now() + timedelta(seconds=settings_of(deps).label_link_ttl_seconds)
    return ctx.link(sign_path(settings_of(deps).secret_key, label_path(label.id), expires))
