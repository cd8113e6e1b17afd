"""`saleor-returns`: run the demo, serve, migrate, export the GraphQL schema."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import __version__

DESCRIPTION = """Self-service returns for Saleor stores.

Start here:  saleor-returns demo
  runs everything on this machine (SQLite file, demo store from examples/, simulated refunds,
  local PDF labels) and prints the URLs and the admin token.

Configuration comes from the environment (DATABASE_URL, RETURNS_*); see README.md."""


def project_file(*parts: str) -> Path | None:
    """A file of the checkout this package runs from (examples/, migrations/), if there is one."""
    for base in (*Path(__file__).resolve().parents, Path.cwd()):
        candidate = base.joinpath(*parts)
        if candidate.exists():
            return candidate
    return None


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
    demo.add_argument("--db", type=Path, default=Path("saleor-returns-demo.sqlite3"),
                      help="SQLite file (default: %(default)s; DATABASE_URL wins when set)")
    demo.add_argument("--admin-token", help="staff token (default: RETURNS_ADMIN_TOKEN, else a new random one)")
    demo.add_argument("--fresh", action="store_true", help="delete the SQLite file first")

    serve = sub.add_parser("serve", help="run the API for production (behind a proxy; many replicas allowed)",
                           description="Serve the ASGI app. Needs a migrated database (saleor-returns migrate) and, "
                                       "until the Saleor app lands, RETURNS_ORDERS_FILE for standalone orders.")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                       help="port (default: $PORT or 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default: %(default)s)")

    sub.add_parser("migrate", help="bring the database schema up to date (alembic upgrade head)",
                   description="Apply every migration in migrations/ to DATABASE_URL.")

    export = sub.add_parser("export-schema", help="print or write our GraphQL SDL",
                            description="Write the GraphQL schema (SDL) served at /graphql.")
    export.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 0
    try:
        return {"demo": cmd_demo, "serve": cmd_serve, "migrate": cmd_migrate,
                "export-schema": cmd_export_schema}[args.command](args)
    except KeyboardInterrupt:
        return 130
    except UserFacingError as err:
        print(f"saleor-returns: {err}", file=sys.stderr)
        return 2


class UserFacingError(Exception):
    """Stops the command with a message and exit status 2."""


def cmd_export_schema(args: argparse.Namespace) -> int:
    from .graphql.schema import export_sdl

    sdl = export_sdl()
    if args.output:
        args.output.write_text(sdl)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(sdl)
    return 0


def _settings(**overrides: object):
    from .settings import Settings, SettingsError

    try:
        return Settings.from_env(None, **overrides)
    except SettingsError as err:
        raise UserFacingError(str(err)) from err


def cmd_migrate(_: argparse.Namespace) -> int:
    from .adapters.db.engine import normalise_url
    from .bootstrap import migrate

    settings = _settings()
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
    from .domain.policy import PolicyError, policy_from_dict

    for slug, policy in data.items():
        try:
            policy_from_dict(policy)
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
    if args.fresh and args.db.exists():
        args.db.unlink()
    db_url = os.environ.get("DATABASE_URL") or f"sqlite+aiosqlite:///{args.db.resolve()}"
    settings = _settings(database_url=db_url, admin_token=args.admin_token or os.environ.get("RETURNS_ADMIN_TOKEN"),
                         public_url=f"http://{args.host}:{args.port}", log_format=os.environ.get(
                             "RETURNS_LOG_FORMAT", "text"))
    configure(settings.log_level, settings.log_format)
    configure_quiet()
    store = _load_store(orders_path)
    policies = _load_policies(policy_path)
    migrate(settings.database_url)
    source = DemoOrderSource(store)

    async def _seed() -> None:
        wiring = build(settings, source)
        try:
            await seed_demo(wiring.deps, policies, store.returns)
        finally:
            await wiring.close()

    asyncio.run(_seed())
    wiring = build(settings, source)
    _print_demo_banner(settings, orders_path, store)
    uvicorn.run(create_app(wiring.deps), host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


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
  GraphQL     {base}/graphql   (open it in a browser for GraphiQL)
  health      {base}/healthz
  admin token {settings.admin_token}   (staff: Authorization: Bearer <token>)

Try:
  curl -s {base}/graphql -H 'content-type: application/json' -d '{body}'
Press Ctrl+C to stop.
""", file=sys.stderr, flush=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings()
    if settings.orders_file is None:
        raise UserFacingError("set RETURNS_ORDERS_FILE (standalone orders); Saleor tenants come with the Saleor app")
    _load_store(settings.orders_file)  # fail early, with a message, on a broken file
    os.environ.setdefault("RETURNS_ADMIN_TOKEN", settings.admin_token)
    os.environ.setdefault("RETURNS_SECRET_KEY", settings.secret_key)  # the same in every worker
    uvicorn.run("saleor_returns.web.factory:app_from_env", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=None, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
