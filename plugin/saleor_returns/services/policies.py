"""Use cases: read a channel's policy (public part for shoppers), and save a new version (staff)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.order import Channel
from ..domain.policy import Policy, PolicyError, policy_to_dict
from ..domain.policy_bounds import policy_for_saving
from .context import Actor, Deps
from .loading import channel_of, current_policy
from .staff_actions import require_staff


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    channel: Channel
    policy: Policy
    version: int


async def get_policy(deps: Deps, actor: Actor, slug: str) -> ChannelPolicy:
    channel = await channel_of(deps, slug)
    async with deps.uow(readonly=True) as uow:
        pv = await current_policy(uow, deps.tenant, slug)
    policy = pv.policy if actor.is_staff else pv.policy.public()
    return ChannelPolicy(channel, policy, pv.version)


async def update_policy(deps: Deps, actor: Actor, slug: str, changes: dict[str, Any]) -> ChannelPolicy:
    """Merge `changes` (policy-file keys) into the current policy and save it as the next version."""
    require_staff(actor)
    channel = await channel_of(deps, slug)
    now = deps.clock.now()
    async with deps.uow() as uow:
        await uow.lock(deps.tenant, f"policy:{slug}")  # versions are numbered one by one
        pv = await current_policy(uow, deps.tenant, slug)
        policy = merge_policy(pv.policy, changes, channel)
        version = await uow.policies.add(deps.tenant, slug, policy, actor.label, now)
        await uow.commit()
    return ChannelPolicy(channel, policy, version)


OFFER_STORE_CREDIT = "offer_store_credit"  # a change that turns store credit on, keeping the bonus set (else 0)


def merge_policy(current: Policy, changes: dict[str, Any], channel: Channel) -> Policy:
    """`changes` (policy-file keys) merged into `current`, validated as a new version would be: INVALID_INPUT with
    the input field that is wrong (updateReturnPolicy saves the result, simulateReturnPolicy replays it)."""
    base = policy_to_dict(current)
    changes = dict(changes)
    offer = changes.pop(OFFER_STORE_CREDIT, False)
    merged = {**base, **changes}
    if offer and merged.get("store_credit_bonus_percent") is None:
        merged["store_credit_bonus_percent"] = "0"
    if isinstance(changes.get("keep_item_limits"), dict):  # a partial change keeps the other limits
        merged["keep_item_limits"] = {**base["keep_item_limits"], **changes["keep_item_limits"]}
    try:
        policy = policy_for_saving(merged)  # every bound: no saved policy can break a later request
    except PolicyError as exc:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, str(exc), f"input.{_camel(exc.field)}") from exc
    for name, amounts in (("keep_item_thresholds", policy.keep_item_thresholds),
                          ("review_above", policy.review_above)):
        for money in amounts:
            if money.currency != channel.currency:
                raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                                  f"channel {channel.slug} sells in {channel.currency}, not {money.currency}",
                                  f"input.{_camel(name)}")
    return policy


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def seed_policies(deps: Deps, policies: dict[str, dict[str, Any]]) -> list[str]:
    """Save the policy file's version for channels that have none yet (demo start-up)."""
    seeded = []
    now = deps.clock.now()
    async with deps.uow() as uow:
        for slug, data in policies.items():
            if await uow.policies.latest(deps.tenant, slug) is None:
                await uow.policies.add(deps.tenant, slug, policy_for_saving(data), "system:policy-file", now)
                seeded.append(slug)
        await uow.commit()
    return seeded
