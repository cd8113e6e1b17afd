"""The store's look in the return portal, per channel: name, logo, accent colour and a link back to the shop.

Staff set it in the console (updateStoreLook); the portal reads it (storeLook, public). Until it is set,
the name is the store's own: the Saleor shop's name, or RETURNS_STORE_NAME for the standalone store.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..domain.codes import ReturnError, ReturnErrorCode
from ..ports import StoredLook, UpstreamUnavailable
from .context import Actor, Deps
from .loading import channel_of

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
MIN_CONTRAST = 4.5  # white text on the accent colour (buttons): WCAG AA for normal text


@dataclass(frozen=True, slots=True)
class StoreLook:
    channel: str
    name: str | None  # None: no name is known (the page keeps its own word for "Returns")
    logo_url: str | None
    accent_color: str | None
    shop_url: str | None
    customized: bool  # staff set it (else: the defaults)


async def store_look(deps: Deps, channel: str) -> StoreLook:
    """The channel's look (public: it is what every shopper of the store sees)."""
    await channel_of(deps, channel)  # CHANNEL_NOT_FOUND / INVALID_INPUT as for policies
    async with deps.uow(readonly=True) as uow:
        row = await uow.store_settings.look(deps.tenant, channel)
    default_name = await shop_name(deps)
    if row is None:
        return StoreLook(channel, default_name, None, None, None, False)
    return StoreLook(channel, row.name or default_name, row.logo_url, row.accent_color, row.shop_url, True)


async def update_store_look(deps: Deps, actor: Actor, channel: str, name: str | None, logo_url: str | None,
                            accent_color: str | None, shop_url: str | None) -> StoreLook:
    """Save the channel's look (staff). Empty values go back to the defaults."""
    if not actor.is_staff:
        raise ReturnError(ReturnErrorCode.FORBIDDEN, "this needs a staff token")
    await channel_of(deps, channel)
    look = StoredLook(_name(name), _url(logo_url, "logoUrl"), _accent(accent_color), _url(shop_url, "shopUrl"))
    async with deps.uow() as uow:
        await uow.store_settings.save_look(deps.tenant, channel, look, deps.clock.now(), actor.label)
        await uow.commit()
    return await store_look(deps, channel)


async def shop_name(deps: Deps) -> str | None:
    """The store's own name: Saleor's shop name where the order source knows it, else RETURNS_STORE_NAME."""
    ask = getattr(deps.orders, "shop_name", None)
    if ask is not None:
        try:
            found = await ask()
        except UpstreamUnavailable:  # the store is down: the portal still shows, with the configured name
            found = None
        if found:
            return str(found)
    return getattr(deps.settings, "store_name", None) or None


def _clean(value: str | None) -> str | None:
    text = (value or "").strip()
    return text or None


def _name(value: str | None) -> str | None:
    text = _clean(value)
    if text and len(text) > 120:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "a store name is at most 120 characters", "input.name")
    return text


def _url(value: str | None, field: str) -> str | None:
    text = _clean(value)
    if text is None:
        return None
    if len(text) > 2000 or not URL.match(text):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "enter a full address starting with https://",
                          f"input.{field}")
    return text


def _accent(value: str | None) -> str | None:
    text = _clean(value)
    if text is None:
        return None
    if not HEX.match(text):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "enter a colour like #1a5fb4", "input.accentColor")
    if contrast_with_white(text) < MIN_CONTRAST:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                          "this colour is too light for white button text; choose a darker one",
                          "input.accentColor")
    return text.lower()


def contrast_with_white(hex_color: str) -> float:
    """WCAG contrast ratio of white against `hex_color` (#rrggbb)."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)
