"""``kg serve`` and ``kg settings``: the API on its address, and the settings in force."""

from __future__ import annotations

import argparse
import logging

from cli.common import settings_of
from kg.settings import SETTINGS, Settings


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from api import create_app

    overrides = {
        k: v for k, v in (("store", args.store), ("host", args.host), ("port", args.port)) if v
    }
    settings = Settings.load(overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = create_app(settings=settings)
    print(f"serving {settings.store} on http://{settings.host}:{settings.port}/", flush=True)
    waitress.serve(app, host=settings.host, port=settings.port, threads=8, ident="converge-kg")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    for s in SETTINGS:
        print(
            f"{s.env:<20} {getattr(settings, s.name)!s:<50} ({settings.origins[s.name]})  {s.help}"
        )
    return 0


def _add_serve(sub) -> None:
    s = sub.add_parser("serve", help="serve the API")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.set_defaults(func=cmd_serve)


def _add_settings(sub) -> None:
    st = sub.add_parser("settings", help="show every setting, its value and origin")
    st.set_defaults(func=cmd_settings)


#: The commands of this module, each with the function that adds its parser.
COMMANDS = {"serve": _add_serve, "settings": _add_settings}
