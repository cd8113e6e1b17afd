"""`saleor-returns rotate-keys`: re-encrypt the stored Saleor app tokens under the current key (docs/operations.md,
runbook "Rotating keys")."""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import Any

OLD_KEYS_VARIABLE = "RETURNS_OLD_ENCRYPTION_KEYS"


def add_keys_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    keys = sub.add_parser(
        "rotate-keys", help="re-encrypt the stored Saleor app tokens under the current key",
        description="Open every stored Saleor app token with the current keys (RETURNS_ENCRYPTION_KEY, else "
                    "RETURNS_SECRET_KEY) or the old ones, and seal it again under the current first key. Give the "
                    f"old keys in {OLD_KEYS_VARIABLE} (comma-separated; kept out of the process list) or with "
                    "--old-key. Exit status 1 when a token opens with none of them (that store must re-install).")
    keys.add_argument("--old-key", action="append", default=[], metavar="KEY",
                      help="a key (or the RETURNS_SECRET_KEY) tokens were encrypted with before; repeatable")


def cmd_rotate_keys(args: argparse.Namespace) -> int:
    from .adapters.saleor.key_rotation import current_keys, rotate_tokens
    from .adapters.saleor.tenants import NoStandaloneOrders
    from .bootstrap import build
    from .cli import UserFacingError, load_settings
    from .logs import configure

    if not (os.environ.get("RETURNS_ENCRYPTION_KEY") or os.environ.get("RETURNS_SECRET_KEY")):
        # without them the settings would make up a random key, and every token would be sealed under it
        raise UserFacingError("rotate-keys needs the new key: set RETURNS_ENCRYPTION_KEY or RETURNS_SECRET_KEY as "
                              "the app will run with it")
    settings = load_settings()
    configure(settings.log_level, settings.log_format)
    old = [k.strip() for k in os.environ.get(OLD_KEYS_VARIABLE, "").split(",") if k.strip()] + list(args.old_key)
    wiring = build(settings, NoStandaloneOrders())

    async def _run():
        try:
            uow: Any = wiring.deps.uow  # the SQL units of work (the tokens are rows of their tables)
            return await rotate_tokens(uow, current_keys(settings.saleor.encryption_keys, settings.secret_key), old)
        finally:
            await wiring.close()

    report = asyncio.run(_run())
    print(f"rotate-keys: {len(report.rotated)} tokens re-encrypted under the current key, "
          f"{len(report.changed_meanwhile)} re-installed meanwhile, {len(report.unreadable)} unreadable",
          file=sys.stderr)
    for url in report.unreadable:
        print(f"  unreadable (no key given opens it; the store must re-install the app): {url}", file=sys.stderr)
    return 1 if report.unreadable else 0
