"""The room board: an instructor-only JupyterHub service showing where every learner is.

The hub starts it (``jupyterhub_config.py``, ``c.JupyterHub.services``) when the workshop has an
instructor; the instructor opens ``/services/board/`` on the hub. It listens on 127.0.0.1 only
(``$JUPYTERHUB_SERVICE_URL``) and lets a request through only with a hub OAuth token carrying
``access:services!service=board``, which only the admin role holds: a learner who opens it is
refused by the hub (403). It runs as the hub's user, so it can read every learner's
``<dir>/home/<name>/results/``; ``rnn_course.board`` reads them (links, FIFOs and other users'
files refused) and builds the page, which reloads itself every few seconds.

    /services/board/            the page (HTML, reloads every $COURSE_BOARD_REFRESH seconds, default 5)
    /services/board/rows.json   the same rows as JSON
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
from jupyterhub.utils import url_path_join
from tornado import ioloop, web

from rnn_course.board import board_page, board_rows

HOMES = Path(os.environ.get("COURSE_BOARD_HOMES", Path(__file__).resolve().parent / "workshop" / "home"))
REFRESH = int(os.environ.get("COURSE_BOARD_REFRESH", "5"))


class BoardHandler(HubOAuthenticated, web.RequestHandler):
    """The page; who may see it is the hub's ``access:services!service=board`` scope (admins)."""

    @web.authenticated
    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.write(board_page(board_rows(HOMES), refresh=REFRESH))


class RowsHandler(HubOAuthenticated, web.RequestHandler):
    @web.authenticated
    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json")
        self.write(json.dumps([row.as_dict() for row in board_rows(HOMES)]))


def main() -> None:
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]  # /services/board/
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])  # http://127.0.0.1:<port>
    app = web.Application([
        (prefix, BoardHandler),
        (url_path_join(prefix, "rows.json"), RowsHandler),
        (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
    ], cookie_secret=secrets.token_bytes(32))
    app.listen(url.port, address=url.hostname)
    print(f"[board] the room board reads {HOMES}; listening on {url.hostname}:{url.port}", flush=True)
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
