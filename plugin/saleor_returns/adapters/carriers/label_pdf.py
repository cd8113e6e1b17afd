"""The local label as a PDF (reportlab): page 1 the 4x6 in shipping label, then the packing slip; placed on
4x6, A6 or letter paper (two per sheet). Pure drawing: no network, no clock, same input, same bytes."""
from __future__ import annotations

import io
import itertools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from reportlab.graphics.barcode import qrencoder
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import A6, LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ...domain.order import Address
from ...ports import LabelLine, LabelRequest

PAGE_W, PAGE_H = 288.0, 432.0  # 4 x 6 in, in points
MARGIN = 12.0
CONTENT_W = PAGE_W - 2 * MARGIN
FONT, BOLD = "Helvetica", "Helvetica-Bold"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_POSTAL_AFTER_CITY = frozenset({"US", "CA", "AU", "GB", "IE"})  # "City, ST 12345" rather than "12345 City"


def format_deadline(deadline: datetime, timezone: str) -> str:
    """E.g. "27 Nov 2026, 23:59 America/New_York" (locale-independent month names)."""
    local = deadline.astimezone(ZoneInfo(timezone))
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}, {local:%H:%M} {timezone}"


def render_label_pdf(request: LabelRequest, tracking: str, label_format: str = "4x6") -> bytes:
    """Page 1: the shipping label; page 2 (and on, for long returns): the packing slip. Each is a 4x6 in
    page; A6 scales it to fit, letter puts two of them on a sheet (rotated, with a cut line)."""
    buffer = io.BytesIO()
    sheet = _Sheet(buffer, FORMATS[label_format])
    sheet.canvas.setTitle(f"Return label {request.return_number}")
    sheet.canvas.setAuthor("saleor-returns")
    _draw_label_page(sheet.canvas, request, tracking)
    sheet.next_page()
    _draw_packing_slip(sheet.canvas, request, sheet.next_page)
    sheet.close()
    return buffer.getvalue()


# --- paper formats: where each 4x6 in page goes on the sheet -------------------------------------


@dataclass(frozen=True, slots=True)
class PaperFormat:
    page_size: tuple[float, float]
    slots: tuple[tuple[float, float, float, float], ...]  # per slot: x, y, scale, rotation (degrees)
    cut_lines: tuple[float, ...] = ()  # y of dashed lines to cut along


def _centred(page: tuple[float, float]) -> PaperFormat:
    scale = min(page[0] / PAGE_W, page[1] / PAGE_H, 1.0)
    return PaperFormat(page, (((page[0] - PAGE_W * scale) / 2, (page[1] - PAGE_H * scale) / 2, scale, 0),))


def _two_per_letter() -> PaperFormat:
    w, h = LETTER
    half = h / 2
    x = (w - PAGE_H) / 2 + PAGE_H  # rotated 90 degrees: the 6 in side runs across the sheet
    y_offset = (half - PAGE_W) / 2
    return PaperFormat(LETTER, ((x, half + y_offset, 1.0, 90), (x, y_offset, 1.0, 90)), cut_lines=(half,))


FORMATS: dict[str, PaperFormat] = {"4x6": PaperFormat((PAGE_W, PAGE_H), ((0.0, 0.0, 1.0, 0),)),
                                   "A6": _centred(A6), "letter": _two_per_letter()}


class _Sheet:
    """Places 4x6 in pages into the slots of real pages; `next_page()` moves to the next slot."""

    def __init__(self, buffer: io.BytesIO, paper: PaperFormat) -> None:
        self.canvas = Canvas(buffer, pagesize=paper.page_size, invariant=True)  # invariant: same input, same bytes
        self._paper = paper
        self._slot = 0
        self._begin_slot()

    def _begin_slot(self) -> None:
        c = self.canvas
        if self._slot == 0 and self._paper.cut_lines:
            c.saveState()
            c.setDash(4, 4)
            c.setLineWidth(0.5)
            for y in self._paper.cut_lines:
                c.line(18, y, self._paper.page_size[0] - 18, y)
            c.restoreState()
        x, y, scale, rotation = self._paper.slots[self._slot]
        c.saveState()
        c.translate(x, y)
        if rotation:
            c.rotate(rotation)
        if scale != 1.0:
            c.scale(scale, scale)

    def next_page(self) -> None:
        self.canvas.restoreState()
        self._slot += 1
        if self._slot == len(self._paper.slots):
            self.canvas.showPage()
            self._slot = 0
        self._begin_slot()

    def close(self) -> None:
        self.canvas.restoreState()
        self.canvas.showPage()
        self.canvas.save()


# --- page 1: the label -------------------------------------------------------------------------


def _draw_label_page(c: Canvas, req: LabelRequest, tracking: str) -> None:
    _draw_header(c, req, top=PAGE_H - MARGIN)
    _label(c, "FROM", MARGIN, 366)
    if req.ship_from is None:
        _text_block(c, [f"Sender: see order {req.order_number}"], MARGIN + 4, 355, FONT, 9, 10, 2, CONTENT_W - 4)
    else:
        _address_block(c, req.ship_from, MARGIN + 4, 355, CONTENT_W - 4, FONT, [(9, 10, 5), (8, 8.5, 6)])
    _draw_ship_to(c, req.ship_to, top=304, bottom=206)
    _draw_code128(c, tracking, bottom=140, height=54)
    ship_by = "Ship by " + format_deadline(req.deadline, req.timezone)
    _fitted(c, ship_by, MARGIN, 112, BOLD, 10, CONTENT_W)
    _rule(c, 104)
    _draw_qr(c, tracking, x=MARGIN, y=MARGIN, size=88)
    items = sum(line.quantity for line in req.lines)
    info = [f"Order {req.order_number}", f"Return {req.return_number}", f"{items} item(s)"]
    _text_block(c, info, MARGIN + 100, 84, FONT, 9, 12, max_lines=3, width=CONTENT_W - 100)
    _text_block(c, ["Scan the code at drop-off.", "Local return label"], MARGIN + 100, 36, FONT, 7, 9,
                max_lines=2, width=CONTENT_W - 100)


def _draw_header(c: Canvas, req: LabelRequest, top: float) -> None:
    c.setFillColor(black)
    c.rect(MARGIN, top - 38, CONTENT_W, 38, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont(BOLD, 22)
    c.drawString(MARGIN + 8, top - 28, "RETURN")
    rma_width = CONTENT_W - 16 - stringWidth("RETURN", BOLD, 22) - 12
    _fitted(c, req.return_number, PAGE_W - MARGIN - 8 - rma_width, top - 28, BOLD, 22, rma_width, right=True)
    c.setFillColor(black)


def _draw_ship_to(c: Canvas, address: Address, top: float, bottom: float) -> None:
    c.setLineWidth(1.5)
    c.rect(MARGIN, bottom, CONTENT_W, top - bottom, stroke=1, fill=0)
    _label(c, "SHIP TO", MARGIN + 6, top - 11)
    _address_block(c, address, MARGIN + 8, top - 24, CONTENT_W - 16, BOLD, [(12, 14, 5), (10, 11, 7)])


def _draw_code128(c: Canvas, value: str, bottom: float, height: float) -> None:
    bar = Code128(value, barHeight=height, barWidth=1.5, humanReadable=False)  # quiet zones: 10+ modules
    if bar.width > CONTENT_W:  # long values: narrow the bars rather than overflow the page
        bar = Code128(value, barHeight=height, barWidth=1.5 * CONTENT_W / bar.width, humanReadable=False)
    bar.drawOn(c, (PAGE_W - bar.width) / 2, bottom)
    c.setFont(BOLD, 12)
    c.drawCentredString(PAGE_W / 2, bottom - 14, value)


def _draw_qr(c: Canvas, value: str, x: float, y: float, size: float, border: int = 4) -> None:
    """The QR code (level M, 4-module quiet zone) as runs of dark modules drawn straight on the canvas:
    the same modules reportlab's QrCodeWidget draws, without building a shape per run (4x faster)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(value)
    qr.make()
    count = qr.getModuleCount()
    box = size / (count + 2 * border)
    path = c.beginPath()
    for r, row in enumerate(qr.modules):
        col = 0
        for dark, run in itertools.groupby(bool(m) for m in row):
            length = len(list(run))
            if dark:
                path.rect(x + (col + border) * box, y + size - (r + border + 1) * box, length * box, box)
            col += length
    c.setFillColor(black)
    c.drawPath(path, stroke=0, fill=1)


# --- page 2: the packing slip ------------------------------------------------------------------


def _draw_packing_slip(c: Canvas, req: LabelRequest, next_page: Callable[[], None]) -> None:
    rows = [_slip_row(line) for line in req.lines]
    y = _slip_header(c, req, continued=False)
    for name_lines, qty in rows:
        last_baseline = y - 12 * (len(name_lines) - 1)
        if last_baseline < MARGIN + 44:  # keep clear of the footer
            next_page()
            y = _slip_header(c, req, continued=True)
            last_baseline = y - 12 * (len(name_lines) - 1)
        _text_block(c, name_lines, MARGIN, y, FONT, 10, 12, max_lines=len(name_lines), width=CONTENT_W - 50)
        c.setFont(BOLD, 10)
        c.drawRightString(PAGE_W - MARGIN, y, f"x {qty}")
        c.setLineWidth(0.25)
        c.line(MARGIN, last_baseline - 5, PAGE_W - MARGIN, last_baseline - 5)
        y = last_baseline - 18
    c.setFont(FONT, 8)
    c.drawString(MARGIN, MARGIN + 24, "Put this slip inside the parcel.")
    _fitted(c, f"Return {req.return_number}, order {req.order_number}", MARGIN, MARGIN + 12, FONT, 8, CONTENT_W)


def _slip_header(c: Canvas, req: LabelRequest, continued: bool) -> float:
    top = PAGE_H - MARGIN
    c.setFont(BOLD, 16)
    c.drawString(MARGIN, top - 16, "PACKING SLIP" + (" (continued)" if continued else ""))
    _fitted(c, f"RMA {req.return_number}", MARGIN, top - 34, BOLD, 11, CONTENT_W)
    _fitted(c, f"Order {req.order_number}", MARGIN, top - 48, FONT, 9, CONTENT_W)
    _label(c, "ITEM", MARGIN, top - 68)
    c.drawRightString(PAGE_W - MARGIN, top - 68, "QTY")
    c.setLineWidth(1)
    c.line(MARGIN, top - 72, PAGE_W - MARGIN, top - 72)
    return top - 86


def _slip_row(line: LabelLine) -> tuple[list[str], int]:
    return _wrap_at_most([line.product_name], FONT, 10, CONTENT_W - 50, max_lines=3), line.quantity


# --- text helpers ------------------------------------------------------------------------------


def _address_lines(address: Address, compact: bool = False) -> list[str]:
    country = address.country.upper()
    area = address.country_area or ""
    if country in _POSTAL_AFTER_CITY:
        locality = f"{address.city}, {area} {address.postal_code}".replace(",  ", ", ").strip(" ,")
        extra: list[str] = []
    else:
        locality = f"{address.postal_code} {address.city}".strip()
        extra = [area] if area else []
    street = [part.strip() for part in address.street.splitlines() if part.strip()]
    if compact:  # the sender block is small: one line for the street
        street = [", ".join(street)] if street else []
    head = [address.name] + ([address.company] if address.company else [])
    return [*head, *street, locality, *extra, _country_name(country)]


def _country_name(code: str) -> str:
    return str(Locale("en").territories.get(code, code)).upper()


def _address_block(c: Canvas, address: Address, x: float, y: float, width: float, font: str,
                   styles: list[tuple[float, float, int]]) -> None:
    """Wrapped in the first (size, leading, max_lines) style it fits; else one clipped line per part."""
    for size, leading, max_lines in styles:
        wrapped = _wrap(_address_lines(address), font, size, width)
        if len(wrapped) <= max_lines:
            _draw_lines(c, wrapped, x, y, font, size, leading)
            return
    size, leading, max_lines = styles[-1]
    parts = [_clip(_printable(p), font, size, width) for p in _address_lines(address, compact=True)]
    if len(parts) > max_lines:  # keep the name and the destination (locality, country)
        parts = parts[:1] + parts[len(parts) - max_lines + 1:]
    _draw_lines(c, parts, x, y, font, size, leading)


_LATIN_FALLBACK = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t"})


def _printable(text: str) -> str:
    """Helvetica (built-in) only has cp1252 glyphs: strip accents it cannot draw, '?' for the rest."""
    out = []
    for char in text.translate(_LATIN_FALLBACK):
        if _encodable(char):
            out.append(char)
            continue
        base = "".join(ch for ch in unicodedata.normalize("NFKD", char) if not unicodedata.combining(ch))
        out.append(base if base and _encodable(base) else "?")
    return "".join(out)


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _wrap(lines: list[str], font: str, size: float, width: float) -> list[str]:
    return [part for line in lines for part in (simpleSplit(_printable(line), font, size, width) or [""])]


def _wrap_at_most(lines: list[str], font: str, size: float, width: float, max_lines: int) -> list[str]:
    wrapped = _wrap(lines, font, size, width)
    if len(wrapped) > max_lines:
        wrapped = wrapped[: max_lines - 1] + [_clip(wrapped[max_lines - 1] + " ...", font, size, width)]
    return wrapped


def _text_block(c: Canvas, lines: list[str], x: float, y: float, font: str, size: float, leading: float,
                max_lines: int, width: float) -> None:
    """Wrap `lines` to `width` and draw at most `max_lines` of them downwards from baseline `y`."""
    _draw_lines(c, _wrap_at_most(lines, font, size, width, max_lines), x, y, font, size, leading)


def _draw_lines(c: Canvas, lines: list[str], x: float, y: float, font: str, size: float, leading: float) -> None:
    c.setFont(font, size)
    for i, line in enumerate(lines):
        c.drawString(x, y - i * leading, line)


def _clip(text: str, font: str, size: float, width: float) -> str:
    """`text`, or as much of it as fits `width` followed by "..."."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "..."


def _fit_size(text: str, font: str, size: float, width: float) -> float:
    """The largest font size <= `size` (down to 6 pt) at which `text` fits `width`."""
    natural = stringWidth(_printable(text), font, size)
    return max(6.0, size * min(1.0, width / natural)) if natural else size


def _fitted(c: Canvas, text: str, x: float, y: float, font: str, size: float, width: float,
            right: bool = False) -> None:
    """Draw `text` in a box `width` wide: shrunk to fit, clipped when even 6 pt is too wide."""
    size = _fit_size(text, font, size, width)
    text = _clip(_printable(text), font, size, width)
    c.setFont(font, size)
    if right:
        c.drawRightString(x + width, y, text)
    else:
        c.drawString(x, y, text)


def _label(c: Canvas, text: str, x: float, y: float) -> None:
    c.setFont(BOLD, 7)
    c.drawString(x, y, text)


def _rule(c: Canvas, y: float) -> None:
    c.setLineWidth(0.75)
    c.line(MARGIN, y, PAGE_W - MARGIN, y)
