"""Labels area: a new label when the last one expired or could not be bought (shopper or staff)."""
from __future__ import annotations

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..services.labels import reissue_label
from ..services.queries import reload
from .context import Info
from .types import ReturnError, ReturnRequest, ReturnUpdated, StaffActionResult


@strawberry.type
class LabelsMutation:
    @strawberry.mutation(description="Issue a new label for a ship-back return whose label expired, was voided or "
                                     "could not be bought. Shoppers give the order's e-mail; staff need nothing more.")
    async def reissue_return_label(self, info: Info, id: strawberry.ID, email: str | None = None) -> StaffActionResult:
        ctx = info.context
        try:
            actor = ctx.shopper(email)
            await reissue_label(ctx.deps, actor, str(id))  # RETURN_NOT_FOUND for other people's returns
            return ReturnUpdated(return_request=ReturnRequest.of(await reload(ctx.deps, str(id))))
        except DomainError as err:
            return ReturnError.of(err)
