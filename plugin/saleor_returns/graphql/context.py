"""Who is asking, worked out once per HTTP request, and what resolvers may use."""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import strawberry
from graphql import GraphQLError
from starlette.requests import Request

from ..domain.codes import ReturnError, ReturnErrorCode
from ..services.context import Actor, Deps
from ..settings import settings_of


@dataclass
class Context:
    deps: Deps
    request: Request | None
    staff: Actor | None = None
    bad_token: bool = False  # a bearer token was sent and it is not one we know
    extras: dict[str, object] = field(default_factory=dict)
    customer: Actor | None = None  # a shopper signed in to the Saleor store (customer access token)
    refused: str | None = None  # Saleor credentials were presented and refused: why (shopper operations say so)

    def shopper(self, email: str | None) -> Actor:
        """Staff act as themselves, a signed-in customer as themselves (the e-mail argument does not count);
        everyone else is a guest identified by the order's e-mail. A token that was sent and not accepted
        (unreadable, forged, expired, another store's) is FORBIDDEN, never a guest: a storefront must tell
        "sign in again" from "no such order"."""
        if self.refused:
            raise ReturnError(ReturnErrorCode.FORBIDDEN, f"Forbidden: {self.refused}.")
        if self.bad_token and self.staff is None and self.customer is None:
            raise ReturnError(ReturnErrorCode.FORBIDDEN, "Forbidden: the token is not valid; sign in again.")
        return self.staff or self.customer or Actor.guest(email)

    def require_staff(self) -> Actor:
        """For staff queries (not unions): a top-level error with code FORBIDDEN."""
        if self.staff is None:
            why = "the token is not valid" if self.bad_token else "this needs a staff token"
            raise GraphQLError(f"Forbidden: {why}.", extensions={"code": "FORBIDDEN"})
        return self.staff

    def link(self, path: str) -> str:
        base = str(self.request.base_url).rstrip("/") if self.request else settings_of(self.deps).public_url
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
    settings = settings_of(deps)
    if settings.owner_token and hmac.compare_digest(token, settings.owner_token):
        ctx.staff = Actor.staff("owner", owner=True)
    elif hmac.compare_digest(token, settings.admin_token):
        ctx.staff = Actor.staff("admin")
    elif (name := _named_staff(settings.staff_tokens, token)) is not None:
        ctx.staff = Actor.staff(name)  # RETURNS_STAFF_TOKENS: their own goodwill budget and audit name
    else:
        ctx.bad_token = True
    return ctx


def _named_staff(staff_tokens: tuple[tuple[str, str], ...], token: str) -> str | None:
    found = None
    for name, known in staff_tokens:  # compare with every token, so timing does not tell which one matched
        if hmac.compare_digest(token, known):
            found = name
    return found


async def resolve_context(deps: Deps, request: Request | None) -> Context:
    """build_context, after asking the installed Saleor stores whether the request is theirs (adapters/saleor/
    tenants.py):
    a Saleor token or a Saleor-Api-Url header picks the store and who is asking; otherwise the standalone store."""
    tenants = deps.saleor
    if tenants is not None and request is not None:
        caller = await tenants.identify(deps, request.headers, bearer(request))
        if caller is not None:
            return Context(caller.deps, request, staff=caller.staff, customer=caller.customer,
                           bad_token=caller.bad_token, refused=caller.refused)
    return build_context(deps, request)


Info = strawberry.Info[Context, None]
