"""Daily goodwill budgets: per currency, for everyone or one staff member, set in the console.

Which budget applies to a staff member in a currency, most specific first: the one set for them in the
console, the store's one set in the console, RETURNS_GOODWILL_DAILY, the built-in default of the currency
(domain/goodwill_defaults.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.money import Money, currency_exponent, is_known_currency, quantize
from ..ports import UnitOfWork
from .context import Actor, Deps

MAX_BUDGET = Decimal("100000000")


@dataclass(frozen=True, slots=True)
class BudgetSetting:
    currency: str
    staff: str | None  # None: everyone
    daily: Money


async def daily_budget(uow: UnitOfWork, deps: Deps, actor: Actor, currency: str) -> Money:
    """The daily budget of staff member `actor` in `currency` (read inside the caller's unit of work). A budget
    set for them may name them by their id (the token's e-mail or name) or by their Dashboard user id."""
    rows = {b.staff: b for b in await uow.store_settings.budgets(deps.tenant, currency)}
    row = next((rows[name] for name in (actor.id, actor.user_id) if name and name in rows), None) or rows.get("")
    if row is not None:
        return row.amount
    return deps.settings.goodwill_budget(currency)


async def budget_settings(deps: Deps, actor: Actor) -> list[BudgetSetting]:
    """What the console has set (staff)."""
    _staff(actor)
    async with deps.uow(readonly=True) as uow:
        rows = await uow.store_settings.budgets(deps.tenant)
    return [BudgetSetting(b.currency, b.staff or None, b.amount) for b in rows]


async def set_budget(deps: Deps, actor: Actor, currency: str, amount: str | None, staff: str | None) -> None:
    """Set a daily budget (store owners only): for everyone, or for one staff member; None removes it."""
    _staff(actor)
    if not actor.is_owner:
        raise ReturnError(ReturnErrorCode.FORBIDDEN, "only a store owner can change goodwill budgets")
    code = currency.strip().upper()
    if not is_known_currency(code):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"{currency!r} is not a currency code", "currency")
    who = (staff or "").strip()
    if len(who) > 320:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "a staff id is at most 320 characters", "staff")
    value = _amount(amount, code)
    async with deps.uow() as uow:
        await uow.store_settings.save_budget(deps.tenant, code, who, value, deps.clock.now(), actor.label)
        await uow.commit()


def _amount(raw: str | None, currency: str) -> Decimal | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "enter an amount like 500 or 1500.00", "amount") from exc
    if not value.is_finite() or value < 0 or value > MAX_BUDGET:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"a daily budget is from 0 to {MAX_BUDGET}", "amount")
    if quantize(value, currency) != value:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                          f"{currency} has {currency_exponent(currency)} decimal places", "amount")
    return value


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise ReturnError(ReturnErrorCode.FORBIDDEN, "this needs a staff token")
