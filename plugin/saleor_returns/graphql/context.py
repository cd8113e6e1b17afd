"""Who is asking, worked out once per HTTP request, and what resolvers may use."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from starlette.requests import Request

from ..services.context import Actor, Deps


@dataclass
class Context:
    deps: Deps
    request: Request | None
    staff: Actor | None = None
    bad_token: bool = False  # a bearer token was sent and it is not one we know
    extras: dict[str, object] = field(default_factory=dict)

    def shopper(self, email: str | None) -> Actor:
        """Staff act as themselves; everyone else is a guest identified by the order's e-mail."""
        return self.staff or Actor.guest(email)

    def require_staff(self) -> Actor:
        """For staff queries (not unions): a top-level error with code FORBIDDEN."""
        if self.staff is None:
            why = "the token is not valid" if self.bad_token else "this needs a staff token"
            raise GraphQLError(f"Forbidden: {why}.", extensions={"code": "FORBIDDEN"})
        return self.staff

    def link(self, path: str) -> str:
        base = str(self.request.base_url).rstrip("/") if self.request else self.deps.settings.public_url
        return base + path


def bearer(request: Request | None) -> str | None:
    if request is None:
        return None
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def build_context(deps: Deps, request: Request | None) -> Context:
    token = bearer(request)
    ctx = Context(deps, request)
    if token is None:
        return ctx
    settings = deps.settings
    if settings.owner_token and hmac.compare_digest(token, settings.owner_token):
        ctx.staff = Actor.staff("owner", owner=True)
    elif hmac.compare_digest(token, settings.admin_token):
        ctx.staff = Actor.staff("admin")
    else:
        ctx.bad_token = True
    return ctx


Info = strawberry.Info[Context, None]
