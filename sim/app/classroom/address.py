"""The address students type: this machine's address on the class's network and the server's
port (`solara run` puts the host and port it serves in SERVER_NAME and SERVER_PORT)."""

from __future__ import annotations

import os
import socket

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def network_ip() -> str:
    """This machine's address on its network (no packet is sent; 127.0.0.1 if it has none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # a route lookup only: UDP sends nothing
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def student_address(code: str, environ: dict | None = None) -> tuple[str, str]:
    """(the address students type, a note for the teacher) for room `code`."""
    env = os.environ if environ is None else environ
    host = env.get("SERVER_NAME", "127.0.0.1")
    port = env.get("SERVER_PORT", "8765")
    if host in LOOPBACK:
        return (
            f"http://{host}:{port}/?room={code}",
            "This server listens on this machine only. For a class, stop it and start it with "
            "`make classroom HOST=0.0.0.0`.",
        )
    ip = network_ip() if host in ("0.0.0.0", "::", "") else host
    if ip in LOOPBACK:
        return (
            f"http://{ip}:{port}/?room={code}",
            "This machine has no network address the page could find: connect it to the class's "
            "network (or a phone's hotspot) and reload; `hostname -I` lists its addresses.",
        )
    return f"http://{ip}:{port}/?room={code}", ""
