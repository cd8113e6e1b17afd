"""Re-encrypt the stored Saleor app tokens under the current key (`saleor-returns rotate-keys`).

Each token is opened with any of the current keys or the old ones given, sealed again under the current first
key, and written back only if the row still holds what was read (a store re-installing meanwhile keeps its new
token). A token no key opens is left as it is and reported: that store must re-install the app.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select, update

from ..db.models import SaleorInstallationRow
from ..db.uow import SqlUnitOfWork
from .token_box import TokenBox, TokenBoxError


@dataclass
class RotationReport:
    rotated: list[str] = field(default_factory=list)  # Saleor API URLs whose token is now under the current key
    unreadable: list[str] = field(default_factory=list)  # no key given opens it: those stores must re-install
    changed_meanwhile: list[str] = field(default_factory=list)  # re-installed during the run: already current


def current_keys(encryption_keys: Sequence[str], secret_key: str) -> tuple[str, ...]:
    """The keys the app encrypts with: RETURNS_ENCRYPTION_KEY, else RETURNS_SECRET_KEY (as TokenBox derives it)."""
    return tuple(encryption_keys) or (secret_key,)


async def rotate_tokens(uow: Callable[..., SqlUnitOfWork], current: Sequence[str],
                        old: Sequence[str]) -> RotationReport:
    """Seal every stored token again under `current[0]`; `old` are keys (or secret keys) used before."""
    box = TokenBox((*current, *old))  # the first key seals, every key opens
    check = TokenBox(tuple(current))
    report = RotationReport()
    async with uow(readonly=True) as tx:
        rows = (await tx.session.execute(select(SaleorInstallationRow.saleor_api_url, SaleorInstallationRow.auth_token)
                                         .where(SaleorInstallationRow.auth_token != ""))).all()
    for api_url, sealed in rows:
        try:
            resealed = box.rotate(sealed)
            check.open(resealed)
        except TokenBoxError:
            report.unreadable.append(api_url)
            continue
        async with uow() as tx:
            result = await tx.session.execute(
                update(SaleorInstallationRow)
                .where(SaleorInstallationRow.saleor_api_url == api_url, SaleorInstallationRow.auth_token == sealed)
                .values(auth_token=resealed))
            await tx.commit()
        (report.rotated if getattr(result, "rowcount", 0) else report.changed_meanwhile).append(api_url)
    return report
