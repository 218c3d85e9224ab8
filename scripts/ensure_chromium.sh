#!/usr/bin/env bash
# Make sure a system chromium exists at /usr/bin/chromium (used by Playwright in the browser
# tests through executable_path; never run `playwright install`). Quiet when already present.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n env DEBIAN_FRONTEND=noninteractive)
else
    echo "WARNING: $CHROMIUM is missing and this user cannot install it (not root, no" >&2
    echo "         password-less sudo). Browser tests will fail. Install it with:" >&2
    echo "         apt-get update && apt-get install -y chromium" >&2
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "WARNING: $CHROMIUM is missing and apt-get is not available; install chromium" \
        "by other means. Browser tests will fail." >&2
    exit 0
fi

echo "Installing chromium with apt-get ..."
"${SUDO[@]}" apt-get update -qq </dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends chromium </dev/null
if [ ! -x "$CHROMIUM" ]; then
    echo "ERROR: apt-get install chromium did not produce $CHROMIUM" >&2
    exit 1
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
