"""Serve the dashboard: ``python app.py [--host HOST] [--port PORT]`` (or ``make run``).

On first start with an empty database the demo workbooks in data/demo/ are loaded.
HOST and PORT may also come from the environment; the database from DATABASE_URL.
A database that cannot be used stops the start with one line saying what to do.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from dashboard.web.app import create_app
from dashboard.data.startup import StartupError
from dashboard.web.server import QuietRequestHandler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the dashboard.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8050")))
    parser.add_argument("--debug", action="store_true", help="Dash debug mode (development)")
    args = parser.parse_args(argv)
    # The app says what it does at start (e.g. that it loaded the demo data, from where).
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        app = create_app({"host": args.host})
    except StartupError as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    from dashboard.store.warm import start_thread

    start_thread(app.server)  # views computed ahead of users at every new data version
    print(f"Serving on http://{args.host}:{args.port}", flush=True)
    app.run(host=args.host, port=args.port, debug=args.debug,
            request_handler=QuietRequestHandler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
