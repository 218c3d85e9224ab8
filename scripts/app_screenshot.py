"""The screenshot of docs/app.md (docs/img/app.png): the app at 1366x768 after 100 replicates.

Starts `solara run sim/app/app.py --production` on a free port, opens it in Debian's chromium
with Playwright, sets a funding gap of 2.5 points, steps once, runs the replicates, checks that
the result and its cards are in view without scrolling, writes the screenshot and stops the
server by its process group.

    .venv/bin/python scripts/app_screenshot.py [docs/img/app.png]
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTH, HEIGHT = 1366, 768


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the app did not start on port {port} within {timeout:.0f} s")


def shoot(url: str, target: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
            page.goto(url)
            page.wait_for_selector(".cc-plot-series img", timeout=240_000)
            gap = page.get_by_role("slider").first  # the funding gap, 1.5 points by default
            gap.focus()
            for _ in range(2):
                gap.press("ArrowRight")
            page.get_by_role("button", name="Step").click()
            expect(page.locator(".cc-result-live")).to_be_visible(timeout=60_000)
            page.get_by_role("button", name="Run 100 replicates").click()
            # The result reads the replicates once they are in (before, it reads the live run).
            expect(page.get_by_text("The result over")).to_be_visible(timeout=240_000)
            page.evaluate(
                "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; });"
            )
            page.wait_for_timeout(1000)
            cards = page.locator(".cc-cards").bounding_box()
            if cards is None or cards["y"] > HEIGHT:
                raise SystemExit(f"the cards are not in view at {WIDTH}x{HEIGHT}: {cards}")
            page.screenshot(path=str(target))
        finally:
            browser.close()


def main() -> None:
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "img" / "app.png")
    port = free_port()
    solara = Path(sys.executable).parent / "solara"
    cmd = [str(solara), "run", str(ROOT / "sim/app/app.py"), "--host", "127.0.0.1"]
    cmd += ["--port", str(port), "--production"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        cmd, cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_for_port(port)
        shoot(f"http://127.0.0.1:{port}/", target)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
