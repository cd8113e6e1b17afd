"""Store area: how the store looks in the portal (public read, staff write) and the goodwill budgets staff set."""
from __future__ import annotations

from typing import Annotated

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..services.goodwill_budgets import budget_settings, set_budget
from ..services.store_look import StoreLook as LookValue
from ..services.store_look import store_look, update_store_look
from .context import Info
from .types import Money, ReturnError, forbidden, top_level


@strawberry.type(description="How a store presents itself to shoppers in one channel.")
class StoreLook:
    channel: str
    name: str | None = strawberry.field(description="The store's name: set by staff, else the shop's own name; "
                                                    "null when none is known.")
    logo_url: str | None
    accent_color: str | None = strawberry.field(description="#rrggbb, dark enough for white text.")
    shop_url: str | None = strawberry.field(description="Where \"back to the shop\" goes.")
    customized: bool

    @classmethod
    def of(cls, v: LookValue) -> "StoreLook":
        return cls(channel=v.channel, name=v.name, logo_url=v.logo_url, accent_color=v.accent_color,
                   shop_url=v.shop_url, customized=v.customized)


@strawberry.input
class StoreLookInput:
    name: str | None = None
    logo_url: str | None = None
    accent_color: str | None = None
    shop_url: str | None = None


@strawberry.type(description="A daily goodwill budget set in the console.")
class GoodwillBudgetSetting:
    currency: str
    staff: str | None = strawberry.field(description="null: everyone without a budget of their own.")
    daily: Money


@strawberry.type
class GoodwillBudgetSaved:
    budgets: list[GoodwillBudgetSetting]


UpdateStoreLookResult = Annotated[StoreLook | ReturnError, strawberry.union("UpdateStoreLookResult")]
SetGoodwillBudgetResult = Annotated[GoodwillBudgetSaved | ReturnError, strawberry.union("SetGoodwillBudgetResult")]


async def _settings(info: Info) -> list[GoodwillBudgetSetting]:
    ctx = info.context
    found = await budget_settings(ctx.deps, ctx.require_staff())
    return [GoodwillBudgetSetting(currency=b.currency, staff=b.staff, daily=Money.of(b.daily)) for b in found]


@strawberry.type
class StoreQuery:
    @strawberry.field(description="The store's look in a channel, for the portal (public).")
    async def store_look(self, info: Info, channel: str) -> StoreLook:
        try:
            return StoreLook.of(await store_look(info.context.deps, channel))
        except DomainError as err:
            raise top_level(err) from err

    @strawberry.field(description="The daily goodwill budgets set in the console, per currency (staff).")
    async def goodwill_budgets(self, info: Info) -> list[GoodwillBudgetSetting]:
        try:
            return await _settings(info)
        except DomainError as err:
            raise top_level(err) from err


@strawberry.type
class StoreMutation:
    @strawberry.mutation(description="Set the store's look in a channel: name, logo, accent colour, shop link "
                                     "(staff; empty values go back to the defaults).")
    async def update_store_look(self, info: Info, channel: str, input: StoreLookInput) -> UpdateStoreLookResult:
        ctx = info.context
        if ctx.staff is None:
            return forbidden(ctx.bad_token)
        try:
            return StoreLook.of(await update_store_look(ctx.deps, ctx.staff, channel, input.name, input.logo_url,
                                                        input.accent_color, input.shop_url))
        except DomainError as err:
            return ReturnError.of(err)

    @strawberry.mutation(description="Set a daily goodwill budget in a currency, for everyone or one staff member "
                                     "(store owners); an empty amount removes it.")
    async def set_goodwill_budget(self, info: Info, currency: str, amount: str | None = None,
                                  staff: str | None = None) -> SetGoodwillBudgetResult:
        ctx = info.context
        if ctx.staff is None:
            return forbidden(ctx.bad_token)
        try:
            await set_budget(ctx.deps, ctx.staff, currency, amount, staff)
            return GoodwillBudgetSaved(budgets=await _settings(info))
        except DomainError as err:
            return ReturnError.of(err)
