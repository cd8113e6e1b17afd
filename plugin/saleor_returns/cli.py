"""`saleor-returns`: run the demo, serve, migrate, export the GraphQL schema."""
from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .settings import Settings

DEMO_MAIL_FROM = "Saleor Demo Store <returns@demo.example>"
DESCRIPTION = """Self-service returns for Saleor stores.

Start here:  saleor-returns demo
  runs everything on this machine (SQLite file, demo store from examples/, simulated refunds,
  local PDF labels) and prints the URLs and the admin token.

Configuration comes from the environment (DATABASE_URL, RETURNS_*); see README.md."""


def project_file(*parts: str) -> Path | None:
    """A file of the project (examples/, migrations/): installed with the package, or of the checkout."""
    from .bundled import project_path

    return project_path(*parts)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="saleor-returns", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--version", action="version", version=f"saleor-returns {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="run the demo store on this machine (SQLite, no network)",
                          description="Start the API on the embedded default: a SQLite file, the demo store from an "
                                      "orders file, simulated refunds and local PDF labels.")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    demo.add_argument("--port", type=int, default=8000, help="port to listen on (default: %(default)s)")
    demo.add_argument("--orders", type=Path, help="demo orders file (default: examples/demo-orders.json)")
    demo.add_argument("--policy", type=Path, help="policy file, per channel (default: examples/policy.json)")
    demo.add_argument("--history", type=Path, help="a quarter of past returns to seed at first start, for the policy "
                                                   "preview and insights (default: examples/demo-history.json)")
    demo.add_argument("--no-history", action="store_true", help="start without past returns")
    demo.add_argument("--db", type=Path, default=Path("saleor-returns-demo.sqlite3"),
                      help="SQLite file (default: %(default)s; DATABASE_URL wins when set)")
    demo.add_argument("--admin-token", help="staff token (default: RETURNS_ADMIN_TOKEN, else a new random one)")
    demo.add_argument("--fresh", action="store_true", help="delete the SQLite file first")
    demo.add_argument("--refunds", choices=("simulated", "stripe"),
                      help="refund gateway (default: RETURNS_REFUND_GATEWAY, else simulated); stripe reads "
                           "STRIPE_API_KEY, STRIPE_API_BASE and STRIPE_WEBHOOK_SECRET (docs/stripe.md)")

    serve = sub.add_parser("serve", help="run the API for production (behind a proxy; many replicas allowed)",
                           description="Serve the ASGI app. Needs a migrated database (saleor-returns migrate), "
                                       "RETURNS_ADMIN_TOKEN and RETURNS_SECRET_KEY. Saleor stores install the app "
                                       "from /api/manifest (docs/saleor.md); RETURNS_ORDERS_FILE adds a "
                                       "standalone store.")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                       help="port (default: $PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: %(default)s)")

    sub.add_parser("migrate", help="bring the database schema up to date (alembic upgrade head)",
                   description="Apply every migration in migrations/ to DATABASE_URL.")

    worker = sub.add_parser("worker", help="finish refunds left pending (crash, outage, rate limit) and send the "
                                           "e-mail outbox; many replicas allowed",
                            description="Claim due PENDING refunds and call the gateway again with their own "
                            "idempotency key (give up after RETURNS_REFUND_GIVE_UP_AFTER); buy, expire and void "
                            "labels; write returns back into Saleor; send due e-mails and remind of expiring labels.")
    worker.add_argument("--once", action="store_true", help="one pass over what is due, then exit (cron, tests)")
    worker.add_argument("--interval", type=float, default=5.0, help="seconds between passes when idle (default: "
                                                                    "%(default)s)")
    worker.add_argument("--batch", type=int, default=10, help="refunds claimed and attempted together per pass "
                                                             "(default: %(default)s)")

    recon = sub.add_parser("reconcile", help="compare our Stripe refunds with Stripe's; exit 1 on mismatches",
                           description="List Stripe's refunds for every payment intent we refunded in the window and "
                                       "print the mismatches (missing, amount, status) as a table.")
    recon.add_argument("--since", default="7d", help="window by refund creation, e.g. 24h, 7d (default: %(default)s)")

    from .cli_labels import add_labels_parser

    add_labels_parser(sub)  # saleor-returns labels run|expire|retry (cli_labels.py)
    from .cli_keys import add_keys_parser

    add_keys_parser(sub)  # saleor-returns rotate-keys (cli_keys.py)

    from .cli_insight import add_insight_parsers

    add_insight_parsers(sub)  # saleor-returns simulate | report (cli_insight.py)

    export = sub.add_parser("export-schema", help="print or write our GraphQL SDL",
                            description="Write the GraphQL schema (SDL) served at /graphql.")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    export.add_argument("--federated", action="store_true",
                        help="the federation subgraph's SDL (served at /graphql/federated) instead")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    try:
        return {"demo": cmd_demo, "serve": cmd_serve, "migrate": cmd_migrate, "worker": cmd_worker,
                "reconcile": cmd_reconcile, "export-schema": cmd_export_schema,
                "labels": _cmd_labels, "rotate-keys": _cmd_rotate_keys, "simulate": _cmd_simulate,
                "report": _cmd_report}[args.command](args)
    except KeyboardInterrupt:
        return 130
    except UserFacingError as err:
        print(f"saleor-returns: {err}", file=sys.stderr)
        return 2


def _cmd_labels(args: argparse.Namespace) -> int:
    from .cli_labels import cmd_labels

    return cmd_labels(args)


def _cmd_rotate_keys(args: argparse.Namespace) -> int:
    from .cli_keys import cmd_rotate_keys

    return cmd_rotate_keys(args)


def _cmd_simulate(args: argparse.Namespace) -> int:
    from .cli_insight import cmd_simulate

    return cmd_simulate(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from .cli_insight import cmd_report

    return cmd_report(args)


class UserFacingError(Exception):
    """Stops the command with a message and exit status 2."""


def cmd_export_schema(args: argparse.Namespace) -> int:
    if args.federated:
        from .graphql.federated_schema import export_federated_sdl as export_sdl
    else:
        from .graphql.schema import export_sdl

    sdl = export_sdl()
    if args.output:
        args.output.write_text(sdl)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(sdl)
    return 0


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment (with `overrides`); a malformed one stops the command with its message."""
    from .settings import Settings, SettingsError

    try:
        return Settings.from_env(None, **overrides)
    except SettingsError as err:
        raise UserFacingError(str(err)) from err


def cmd_migrate(_: argparse.Namespace) -> int:
    from .adapters.db.engine import normalise_url
    from .bootstrap import migrate

    settings = load_settings()
    configure_quiet()
    print(f"migrating {_redact(normalise_url(settings.database_url))} ...", file=sys.stderr)
    migrate(settings.database_url)
    print("database is up to date", file=sys.stderr)
    return 0


def configure_quiet() -> None:
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _load_store(path: Path):
    from .adapters.demo.orders_file import DemoStoreError, load_demo_store

    try:
        return load_demo_store(path, datetime.now(UTC))
    except DemoStoreError as err:
        raise UserFacingError(f"cannot load the orders file: {err}") from err


def _load_policies(path: Path | None) -> dict:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise UserFacingError(f"cannot read the policy file {path}: {err}") from err
    from .domain.policy import PolicyError
    from .domain.policy_bounds import policy_for_saving

    for slug, policy in data.items():
        try:
            policy_for_saving(policy)
        except PolicyError as err:
            raise UserFacingError(f"{path}: channel {slug}: {err}") from err
    return data


def cmd_demo(args: argparse.Namespace) -> int:
    import uvicorn

    from .adapters.demo.order_source import DemoOrderSource
    from .bootstrap import build, migrate
    from .logs import configure
    from .services.seed import seed_demo
    from .web.app import create_app

    orders_path = args.orders or project_file("examples", "demo-orders.json")
    if orders_path is None or not orders_path.exists():
        raise UserFacingError(f"orders file not found: {orders_path or 'examples/demo-orders.json'} (use --orders)")
    policy_path = args.policy or (project_file("examples", "policy.json") if args.orders is None else None)
    if args.fresh and args.db.exists() and not os.environ.get("DATABASE_URL"):
        args.db.unlink()
    db_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{args.db.resolve()}"
    settings = load_settings(database_url=db_url, admin_token=args.admin_token or os.environ.get("RETURNS_ADMIN_TOKEN"),
                             public_url=f"http://{args.host}:{args.port}", log_format=os.environ.get(
                                 "RETURNS_LOG_FORMAT", "text"), refund_gateway=args.refunds)
    if not os.environ.get("RETURNS_MAIL_FROM"):  # the demo store signs its e-mails with its own name
        settings = dataclasses.replace(settings, email=dataclasses.replace(settings.email, mail_from=DEMO_MAIL_FROM))
    configure(settings.log_level, settings.log_format)
    configure_quiet()
    store = _load_store(orders_path)
    policies = _load_policies(policy_path)
    store, history = _with_history(args, store)
    migrate(settings.database_url)
    source = DemoOrderSource(store)

    async def _seed() -> None:
        from .demo_seed import seed_demo_history

        wiring = build(settings, source)
        try:
            await seed_demo(wiring.deps, policies, store.returns)
            if history is not None:
                print("seeding a quarter of past returns (first start only) ...", file=sys.stderr, flush=True)
                made = await seed_demo_history(wiring.deps, store, history, policies)
                print(f"  {made} past returns seeded" if made else "  seeded at an earlier start", file=sys.stderr)
        finally:
            await wiring.close()

    asyncio.run(_seed())
    wiring = build(settings, source)
    _print_demo_banner(settings, orders_path, store)
    uvicorn.run(create_app(wiring.deps, background_work=True), host=args.host, port=args.port, log_config=None,
                access_log=False)
    return 0


def _with_history(args: argparse.Namespace, store):  # type: ignore[no-untyped-def]
    """The store with the history's orders, and the history (None: --no-history, or no file)."""
    from .adapters.demo.entries import DemoStoreError
    from .demo_seed import with_history

    path = args.history or (project_file("examples", "demo-history.json") if args.orders is None else None)
    if args.no_history or path is None:
        return store, None
    try:
        return with_history(store, path, datetime.now(UTC))
    except DemoStoreError as err:
        raise UserFacingError(f"cannot load the history file: {err}") from err


def _print_demo_banner(settings, orders_path: Path, store) -> None:
    base = settings.public_url
    first = next(iter(store.orders.values()), None)
    query = ('query($id: ID!, $email: String) { orderReturnEligibility(orderId: $id, email: $email) '
             '{ __typename ... on OrderReturnEligibility { deadline lines { productName eligible codes } } } }')
    body = json.dumps({"query": query, "variables": {"id": first.id if first else "",
                                                      "email": first.user_email if first else ""}})
    print(f"""
saleor-returns {__version__} demo
  orders      {orders_path} ({len(store.orders)} orders, {len(store.channels)} channels)
  database    {_redact(settings.database_url)}
  portal      {base}/portal    (shoppers: try order 1002 with ben@example.com)
  console     {base}/console   (staff: sign in with the admin token below)
  GraphQL     {base}/graphql   (open it in a browser for GraphiQL)
  health      {base}/healthz
  admin token {settings.admin_token}   (staff: Authorization: Bearer <token>)
  refunds     {settings.refund_gateway}{_stripe_banner(settings)}
  e-mail      {_mail_banner(settings)}

Try:
  curl -s {base}/graphql -H 'content-type: application/json' -d '{body}'
Press Ctrl+C to stop.
""", file=sys.stderr, flush=True)


async def _seed_policies(settings, store, policies: dict) -> None:
    """Save the policy file's version for channels that have none yet (RETURNS_POLICY_FILE)."""
    from .adapters.demo.order_source import DemoOrderSource
    from .bootstrap import build
    from .services.policies import seed_policies

    wiring = build(settings, DemoOrderSource(store))
    try:
        await seed_policies(wiring.deps, policies)
    finally:
        await wiring.close()


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = load_settings()
    for var in ("RETURNS_ADMIN_TOKEN", "RETURNS_SECRET_KEY"):  # must be the same in every worker and replica
        if not os.environ.get(var):
            raise UserFacingError(f"set {var} (a long random string; the same for every replica)")
    if settings.orders_file is None:  # Saleor stores only: they install the app from its manifest (docs/saleor.md)
        print(f"saleor-returns: no RETURNS_ORDERS_FILE: serving Saleor stores only; install the app in the Saleor "
              f"Dashboard from {settings.public_url}/api/manifest", file=sys.stderr)
    else:
        store = _load_store(settings.orders_file)  # fail early, with a message, on a broken file
        policies = _load_policies(settings.policy_file)
        if policies:
            asyncio.run(_seed_policies(settings, store, policies))
    uvicorn.run("saleor_returns.web.factory:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=None, access_log=False)
    return 0


def _mail_banner(settings) -> str:
    if not settings.email.smtp_url:
        return "none leave this machine (RETURNS_SMTP_URL unset): the console's Messages show what would be sent"
    staff = ", ".join(settings.email.staff_emails) or "nobody (RETURNS_STAFF_EMAILS)"
    return f"{settings.email.smtp_shown} from {settings.email.mail_from}; reviews to {staff}"


def _stripe_banner(settings) -> str:
    if settings.refund_gateway != "stripe":
        return ""
    return f" at {settings.stripe_api_base}; webhooks: POST {settings.public_url}/webhooks/stripe"


def standalone_orders(settings):  # type: ignore[no-untyped-def]
    """The standalone store's orders for commands outside the server: the orders file when there is one
    (RETURNS_ORDERS_FILE), else none (the deployment serves Saleor stores only)."""
    from .adapters.demo.order_source import DemoOrderSource
    from .adapters.saleor.tenants import NoStandaloneOrders

    if settings.orders_file is None:
        return NoStandaloneOrders()
    return DemoOrderSource(_load_store(settings.orders_file))


def cmd_worker(args: argparse.Namespace) -> int:
    import signal

    from .bootstrap import build
    from .logs import configure
    from .services.worker import run_worker

    settings = load_settings()
    configure(settings.log_level, settings.log_format)
    wiring = build(settings, standalone_orders(settings))  # every store's work: the standalone one and Saleor's

    async def _run() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        try:
            await run_worker(wiring.deps, once=args.once, interval=args.interval, batch=max(1, args.batch), stop=stop)
        finally:
            await wiring.close()

    asyncio.run(_run())
    return 0


def cmd_reconcile(args: argparse.Namespace) -> int:
    from .adapters.refunds.stripe_gateway import StripeRefundGateway
    from .bootstrap import build
    from .logs import configure
    from .ports import UpstreamUnavailable
    from .services.reconcile import reconcile, render
    from .settings import SettingsError, parse_duration

    settings = load_settings()
    try:
        settings.check_stripe()
        window = parse_duration("--since", args.since)
    except SettingsError as err:
        raise UserFacingError(str(err)) from err
    configure(settings.log_level, settings.log_format)
    wiring, ledger = build(settings, standalone_orders(settings)), StripeRefundGateway.from_settings(settings)

    async def _run():
        try:
            return await reconcile(wiring.deps, ledger, "stripe", wiring.deps.clock.now() - window)
        finally:
            await ledger.close()
            await wiring.close()

    try:
        result = asyncio.run(_run())
    except UpstreamUnavailable as err:
        raise UserFacingError(str(err)) from err
    print(render(result))
    return 1 if result.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
