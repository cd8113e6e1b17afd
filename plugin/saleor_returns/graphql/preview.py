"""Portal area: what a return would come to, per line, before the shopper commits (previewReturn)."""
from __future__ import annotations

from typing import Annotated

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..domain.decision import RequestedLine
from ..services.preview_return import LineOutcome, ReturnPreview, preview_return
from .context import Info
from .returns import RequestReturnInput, bounded
from .types import EligibilityCode, Money, Resolution, ReturnError, ReturnStatus

strawberry.enum(LineOutcome, description="What happens to a line: kept (refunded at once), in the box, "
                                         "a person reviews it first, or it cannot be returned.")


@strawberry.type(description="One requested line as requestReturn would decide it now.")
class ReturnPreviewLine:
    order_line_id: strawberry.ID
    product_name: str
    quantity: int
    outcome: LineOutcome
    refund: Money | None
    codes: list[EligibilityCode]
    kept_alone: bool = strawberry.field(description="It ships back with the others, but returned on its own "
                                                    "it would be refunded at once and kept.")


@strawberry.type(name="ReturnPreview",
                 description="What requestReturn would decide now; nothing is saved and no provider is called.")
class ReturnPreviewResult:
    status: ReturnStatus
    resolution: Resolution | None
    refund_total: Money | None
    review_reasons: list[str]
    lines: list[ReturnPreviewLine]
    split_would_keep: bool = strawberry.field(description="Some line ships back only because it is returned "
                                                          "together with the others.")

    @classmethod
    def of(cls, p: ReturnPreview) -> "ReturnPreviewResult":
        d = p.decision
        return cls(status=d.status, resolution=d.resolution,
                   refund_total=Money.of(d.refund.total) if d.refund else None,
                   review_reasons=list(d.review_codes), split_would_keep=p.split_would_keep,
                   lines=[ReturnPreviewLine(order_line_id=strawberry.ID(line.line_id), product_name=line.product_name,
                                            quantity=line.quantity, outcome=line.outcome,
                                            refund=Money.of(line.refund) if line.refund else None,
                                            codes=list(line.codes), kept_alone=line.kept_alone)
                          for line in p.lines])


PreviewReturnResult = Annotated[ReturnPreviewResult | ReturnError, strawberry.union("PreviewReturnResult")]


@strawberry.type
class PreviewQuery:
    @strawberry.field(description="What requestReturn would decide for this input now, per line and overall "
                                  "(keep, ship back, review); read-only.")
    async def preview_return(self, info: Info, input: RequestReturnInput) -> PreviewReturnResult:
        ctx = info.context
        try:
            bounded(input)
            lines = tuple(RequestedLine(str(x.order_line_id), x.quantity, x.reason.strip(), x.comment)
                          for x in input.lines)
            preview = await preview_return(ctx.deps, ctx.shopper(input.email), str(input.order_id), lines,
                                           bool(input.exception_requested))
        except DomainError as err:
            return ReturnError.of(err)
        return ReturnPreviewResult.of(preview)


__all__ = ["PreviewQuery"]
