"""moto's server, plus the AWS behaviour the Pilothouse control plane needs.

moto 5 keeps AWS *state* behind the real wire protocols, but has little *behaviour*:
services never roll out, running counts come from one server-wide env var, there are
no service events, every target is healthy, and DescribeScalingActivities does not
exist. This module adds that behaviour inside moto's own models, in moto's own
process, so the control plane keeps talking to it through the unchanged AWS SDK.

It also serves a local-only control API under /_pilothouse/ that the demo and the
tests use to cause what AWS would cause on its own (a failing deployment, an
unhealthy target, a scaling policy firing). See README.md, "What is emulated".

Run: python pilothouse_moto.py [--port N]   (port 0 = pick a free one)
Prints one line `PILOTHOUSE_MOTO_READY port=N` once it accepts connections.
"""

from __future__ import annotations

import os

# AWS's managed policies exist in every account (the bootstrap root attaches
# AdministratorAccess); moto only knows them when asked before it loads.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

import argparse  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
from typing import Any, Callable  # noqa: E402

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402
from werkzeug.wrappers import Request  # noqa: E402

from pilothouse_emulator.common import CONTROL_PREFIX, LOCK, Settings  # noqa: E402
from pilothouse_emulator.control import control  # noqa: E402
from pilothouse_emulator.ecs import tick  # noqa: E402
from pilothouse_emulator.requests_log import count_request, record_web_identity  # noqa: E402


def make_app() -> Callable[..., Any]:
    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return control(Request(environ))(environ, start_response)
        count_request(environ)
        record_web_identity(environ)
        # Reads see the latest rollout step: no request observes a half-made change.
        with LOCK:
            return moto_app(environ, start_response)

    return app


def ticker(stop: threading.Event) -> None:
    while not stop.wait(Settings.tick_seconds):
        tick()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    server = make_server(args.host, args.port, make_app(), threaded=True, request_handler=MotoRequestHandler)
    stop = threading.Event()
    threading.Thread(target=ticker, args=(stop,), daemon=True).start()

    def shutdown(*_: Any) -> None:
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    print(f"PILOTHOUSE_MOTO_READY port={server.server_port}", flush=True)
    server.serve_forever()
    sys.exit(0)


if __name__ == "__main__":
    main()
