"""Live servers for the tests: WSGI apps over real HTTP on 127.0.0.1."""

from __future__ import annotations

import threading


class Served:
    """Serves WSGI apps over real HTTP on 127.0.0.1 (ephemeral ports) until closed."""

    def __init__(self) -> None:
        self._servers: list = []

    def __call__(self, app) -> str:
        from waitress.server import create_server

        server = create_server(app, host="127.0.0.1", port=0, threads=4)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        self._servers.append((server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    def close(self) -> None:
        for server, thread in self._servers:
            server.close()
            thread.join(timeout=5)
