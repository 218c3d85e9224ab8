"""Waiting on the app's state in the no-browser app tests (a condition polled, never a fixed
sleep): one helper for tests/test_app_components.py, test_app_results.py and test_app_teaching.py."""

from __future__ import annotations

import time


def wait_until(condition, timeout: float = 30.0) -> None:
    """Return once `condition()` is true; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"condition not met within {timeout} s")
