"""`saleor-returns simulate` and `saleor-returns report`: a policy preview and the analytics, from the command line."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any


def add_insight_parsers(sub: Any) -> None:
    sim = sub.add_parser("simulate", help="replay past returns under a proposed policy and print what would change",
                         description="Replay a channel's returns of a period under the current policy with the "
                                     "settings of FILE (the policy file form: one channel's settings, or the whole "
                                     "file, from which the channel's are taken). Nothing is saved.")
    sim.add_argument("--channel", required=True, help="channel slug, e.g. default-channel")
    sim.add_argument("--policy", required=True, type=Path, help="the proposed settings (JSON, policy file form)")
    _period(sim)
    sim.add_argument("--limit", type=int, default=50, help="changed returns to list (default: %(default)s; 0: all)")

    rep = sub.add_parser("report", help="write a self-contained HTML report with charts of a period's returns",
                         description="What returns cost over a period: per status, reason, resolution, product and "
                                     "day, with charts (Chart.js inlined: the file needs no network).")
    rep.add_argument("--channel", help="one channel (default: every channel, days in UTC)")
    rep.add_argument("--out", "-o", required=True, type=Path, help="the HTML file to write")
    _period(rep)


def _period(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", default="90d", help="how far back: 30d, 90d, 12h (default: %(default)s)")
    p.add_argument("--until", help="end of the period, ISO 8601 with offset (default: now)")
    p.add_argument("--store", help="an installed Saleor store's API URL (default: the standalone store)")


def cmd_simulate(args: argparse.Namespace) -> int:
    from .domain.actors import Actor
    from .services.simulation import simulate_policy

    changes = _policy_file(args.policy, args.channel)
    progress = _Progress()

    async def _go(deps: Any, since: datetime, until: datetime | None) -> Any:
        with progress:
            return await simulate_policy(deps, Actor.staff("cli"), args.channel, changes, since, until,
                                         progress=progress.update)

    result = _run(args, _go)
    _print_simulation(result, args.limit)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .domain.actors import Actor
    from .services.analytics import return_analytics
    from .web.report import render_report

    async def _go(deps: Any, since: datetime, until: datetime | None) -> Any:
        return await return_analytics(deps, Actor.staff("cli"), args.channel, since, until)

    found = _run(args, _go)
    args.out.write_text(render_report(found), encoding="utf-8")
    f = found.figures
    print(f"wrote {args.out}: {f.returns} returns, {f.units} units, refunded "
          f"{', '.join(str(m) for m in f.refunded) or 'nothing'}", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace, go: Any) -> Any:
    from .bootstrap import build
    from .cli import UserFacingError, load_settings, standalone_orders
    from .domain.codes import ReturnError
    from .settings import SettingsError, parse_duration

    settings = load_settings()
    try:
        back = parse_duration("--since", args.since)
    except SettingsError as err:
        raise UserFacingError(str(err)) from err
    until = _until(args.until)
    wiring = build(settings, standalone_orders(settings))

    async def _main() -> Any:
        try:
            deps = await wiring.deps.of_store(args.store) if args.store else wiring.deps
            if deps is None:
                raise UserFacingError(f"{args.store} is not a store this deployment serves")
            return await go(deps, (until or deps.clock.now()) - back, until)
        finally:
            await wiring.close()

    try:
        return asyncio.run(_main())
    except ReturnError as err:
        where = f" ({err.field})" if err.field else ""
        raise UserFacingError(f"{err.code.value}{where}: {err.message}") from err


def _until(raw: str | None) -> datetime | None:
    from .cli import UserFacingError

    if raw is None:
        return None
    try:
        found = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as err:
        raise UserFacingError(f"--until must be a time like 2026-12-01T00:00:00Z, got {raw!r}") from err
    if found.tzinfo is None:
        raise UserFacingError("--until needs its offset, e.g. 2026-12-01T00:00:00Z")
    return found


def _policy_file(path: Path, channel: str) -> dict[str, Any]:
    from .cli import UserFacingError
    from .domain.policy import KNOWN_KEYS

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise UserFacingError(f"cannot read the policy file {path}: {err}") from err
    if isinstance(data, dict) and isinstance(data.get(channel), dict) and not set(data) & KNOWN_KEYS:
        data = data[channel]  # the whole policy file: this channel's part
    if not isinstance(data, dict):
        raise UserFacingError(f"{path}: a policy is an object of settings")
    return data


class _Progress:
    """A progress bar on standard error (rich), shown on long runs only."""

    def __init__(self) -> None:
        from rich.progress import Progress

        self._bar = Progress(transient=True, console=_console(sys.stderr))
        self._task: Any = None

    def __enter__(self) -> "_Progress":
        self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.__exit__(None, None, None)

    def update(self, done: int, total: int) -> None:
        if self._task is None:
            self._task = self._bar.add_task("replaying", total=max(total, 1))
        self._bar.update(self._task, completed=done)


def _console(stream: Any) -> Any:
    from rich.console import Console

    return Console(file=stream, highlight=False, width=None if stream.isatty() else 140)


def _print_simulation(s: Any, limit: int) -> None:
    from rich.table import Table

    out = _console(sys.stdout)
    out.print(f"[bold]Policy simulation[/bold] · channel {s.channel} (version {s.policy_version} + your changes) · "
              f"{s.period.since:%Y-%m-%d %H:%M} to {s.period.until:%Y-%m-%d %H:%M} UTC")
    out.print(f"{s.replayed} returns replayed" + (f", {s.not_replayable} decided before decisions were kept whole "
                                                  f"(not replayed)" if s.not_replayable else ""))
    totals = Table(title="What was decided, and what the proposal would have decided")
    for col in ("", "recorded", "proposed", "change"):
        totals.add_column(col, justify="left" if not col else "right")
    for name in ("keep_item", "ship_back", "review", "rejected"):
        a, b = getattr(s.current.counts, name), getattr(s.proposed.counts, name)
        totals.add_row(name.replace("_", "-"), str(a), str(b), f"{b - a:+d}")
    for name, label in (("refunds", "refunds"), ("keep_item_value", "keep-item refunds"), ("label_cost", "label cost")):
        a, b = getattr(s.current, name), getattr(s.proposed, name)
        totals.add_row(label, _moneys(a), _moneys(b), _delta(a, b))
    out.print(totals)
    changed = Table(title=f"{len(s.changed)} returns would change" + (
        f" (the first {limit})" if limit and len(s.changed) > limit else ""))
    for col in ("return", "requested", "recorded", "proposed", "refund"):
        changed.add_column(col, no_wrap=True)
    changed.add_column("why", overflow="fold", ratio=1)
    for c in s.changed[:limit or None]:
        refund = str(c.refund_before) if c.refund_before == c.refund_after else f"{c.refund_before} → {c.refund_after}"
        changed.add_row(c.number, f"{c.requested_at:%Y-%m-%d}", c.before.value, c.after.value, refund,
                        "\n".join(c.why))
    out.print(changed)


def _moneys(items: Any) -> str:
    return ", ".join(str(m) for m in items) or "0"


def _delta(a: Any, b: Any) -> str:
    from decimal import Decimal

    before = {m.currency: m.amount for m in a}
    after = {m.currency: m.amount for m in b}
    return ", ".join(f"{after.get(c, Decimal(0)) - before.get(c, Decimal(0)):+} {c}"
                     for c in sorted(set(before) | set(after))) or "0"
