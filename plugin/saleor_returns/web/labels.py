"""GET /labels/<id>.pdf?expires=…&signature=…: the label, without login, for whoever holds the link."""
from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..services.context import Deps
from ..settings import settings_of
from .label_links import label_path
from .signed_links import verify


async def download_label(deps: Deps, request: Request) -> Response:
    label_id = request.path_params["label_id"]
    q = request.query_params
    if not verify(settings_of(deps).secret_key, label_path(label_id), q.get("expires", ""), q.get("signature", ""),
                  deps.clock.now()):
        return JSONResponse({"code": "LINK_INVALID", "message": "This label link is invalid or has expired; "
                                                               "open the return again for a fresh one."},
                            status_code=403)
    async with deps.uow(readonly=True) as uow:
        found = await uow.returns.label_pdf(label_id)
    if found is None or found[0].voided_at is not None:
        return JSONResponse({"code": "LABEL_NOT_FOUND", "message": "This label no longer exists."}, status_code=404)
    label, pdf = found
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="return-label-{label.tracking_number}.pdf"',
        "Cache-Control": "private, max-age=300"})
