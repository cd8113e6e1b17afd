"""`saleor-returns labels run|expire|retry`: the labels' background work, for cron or a worker loop."""
from __future__ import annotations

import argparse
import asyncio
import sys


def add_labels_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    labels = sub.add_parser("labels", help="expire unused labels (voided with the carrier), retry failed purchases",
                            description="One pass of the labels' background work. `run` does everything; `expire` "
                                        "voids labels past RETURNS_LABEL_VALID_DAYS that were never scanned; `retry` "
                                        "buys labels whose purchase failed for a passing reason (timeouts, outages) "
                                        "and finishes voids that did not go through. Safe to run from many places.")
    labels.add_argument("action", nargs="?", choices=("run", "expire", "retry"), default="run")


def cmd_labels(args: argparse.Namespace) -> int:
    from .bootstrap import build
    from .cli import load_settings, standalone_orders
    from .logs import configure
    from .services import label_expiry

    settings = load_settings()
    configure(settings.log_level, settings.log_format)
    wiring = build(settings, standalone_orders(settings))  # every store: the standalone one and Saleor's

    async def _run() -> str:
        try:
            if args.action == "expire":
                return f"{await label_expiry.expire_due(wiring.deps)} expired"
            if args.action == "retry":
                retried, issued, voided = await label_expiry.retry_due(wiring.deps)
                return f"{retried} purchases retried ({issued} issued), {voided} voided with the carrier"
            return str(await label_expiry.run_label_work(wiring.deps))
        finally:
            await wiring.close()

    print(f"labels {args.action}: {asyncio.run(_run())}", file=sys.stderr)
    return 0
