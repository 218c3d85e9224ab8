#!/usr/bin/env python3
"""Put Solara's front-end assets into Solara's CDN proxy cache, fetched from the npm registry.

Solara's page loads ``@widgetti/solara-vuetify-app`` and ``requirejs`` (and Font Awesome) from a
public CDN through the server's asset proxy. On a machine without internet access that fetch
fails and the page stays blank. The npm registry is reachable, so this script fetches the same
packages with ``npm pack`` and unpacks them (without the tarball's leading ``package/`` folder)
into the proxy cache folder, ``<sys.prefix>/share/solara/cdn/``::

    <prefix>/share/solara/cdn/@widgetti/solara-vuetify-app@VERSION/dist/...
    <prefix>/share/solara/cdn/requirejs@VERSION/require.js

The versions are read from the installed Solara's page template
(``solara/server/templates/solara.html.j2``), Font Awesome's from Solara's asset settings, and
those of the packages Solara's components load lazily (vue-grid-layout, used by Mesa's SolaraViz;
katex and mermaid, used by Markdown; vega/vega-lite/vega-embed, used by FigureAltair) from the
components' sources, so an upgrade of Solara keeps working. Further packages can be added with ``--extra NAME@VERSION``
(the Solara server log names each CDN URL it could not load).

The script is idempotent: a package whose folder holds the completion marker is skipped.
Run it with the Python of the environment that runs Solara (``make .venv`` does).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# Packages from the page template that the (Vuetify 2) page needs.
REQUIRED = ("@widgetti/solara-vuetify-app", "requirejs")
MARKER = ".npm-pack-complete"

# "{{cdn}}/@scope/name@1.2.3/..." or "{{cdn}}/name@1.2.3/..."
TEMPLATE_REF = re.compile(
    r"\{\{\s*cdn\s*\}\}/(?P<name>(?:@[A-Za-z0-9._-]+/)?[A-Za-z0-9._-]+)@(?P<version>\d[A-Za-z0-9.+-]*)/"
)
# Components load their own front-end lazily: `${this.getCdn()}/NAME@VERSION/...` in .vue/.py.
# Only literal versions are matched (not `${version}` placeholders).
COMPONENT_REF = re.compile(
    r"getCdn\(\)\}/(?P<name>(?:@[A-Za-z0-9._-]+/)?[A-Za-z0-9._-]+)@(?P<version>\d[A-Za-z0-9.+-]*)/"
)
FONTAWESOME_REF = re.compile(
    r"fontawesome_path[^=\n]*=\s*[\"']/(?P<name>[A-Za-z0-9._-]+)@(?P<version>\d[A-Za-z0-9.+-]*)/"
)


class SetupError(RuntimeError):
    pass


def solara_package_dir() -> Path:
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError(
            f"solara is not installed in this environment ({sys.executable}); "
            "install the project first (make .venv)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def template_packages(template: Path) -> dict[str, set[str]]:
    """Map package name -> versions referenced as {{cdn}}/NAME@VERSION/ in the template."""
    found: dict[str, set[str]] = {}
    for m in TEMPLATE_REF.finditer(template.read_text(encoding="utf-8")):
        found.setdefault(m["name"], set()).add(m["version"])
    return found


def fontawesome_package(settings_py: Path) -> tuple[str, str] | None:
    if not settings_py.exists():
        return None
    m = FONTAWESOME_REF.search(settings_py.read_text(encoding="utf-8"))
    return (m["name"], m["version"]) if m else None


def component_packages(pkg_dir: Path) -> set[tuple[str, str]]:
    """Packages that Solara's components (Markdown, GridLayout, FigureAltair, ...) load lazily."""
    found: set[tuple[str, str]] = set()
    for suffix in ("*.vue", "*.py", "*.js"):
        for path in pkg_dir.rglob(suffix):
            if "website" in path.relative_to(pkg_dir).parts:
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update((m["name"], m["version"]) for m in COMPONENT_REF.finditer(text))
    return found


def required_packages(
    include_fontawesome: bool = True, include_components: bool = True
) -> list[tuple[str, str]]:
    pkg_dir = solara_package_dir()
    template = pkg_dir / "server" / "templates" / "solara.html.j2"
    if not template.exists():
        raise SetupError(f"Solara page template not found at {template}")
    refs = template_packages(template)
    wanted: list[tuple[str, str]] = []
    for name in REQUIRED:
        versions = refs.get(name)
        if not versions:
            raise SetupError(
                f"{template} does not reference {name}@VERSION any more; "
                "this script needs updating for this solara version."
            )
        wanted.extend((name, v) for v in sorted(versions))
    if include_fontawesome:
        fa = fontawesome_package(pkg_dir / "server" / "settings.py")
        if fa:
            wanted.append(fa)
    if include_components:
        wanted.extend(sorted(component_packages(pkg_dir) - set(wanted)))
    return wanted


def parse_spec(spec: str) -> tuple[str, str]:
    name, sep, version = spec.rpartition("@")
    if not sep or not name or not version or name == "@":
        raise argparse.ArgumentTypeError(f"expected NAME@VERSION, got {spec!r}")
    return name, version


def npm_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        npm_config_update_notifier="false",
        npm_config_fund="false",
        npm_config_audit="false",
        npm_config_yes="true",
    )
    return env


def npm_pack(npm: str, name: str, version: str, workdir: Path) -> Path:
    cmd = [npm, "pack", f"{name}@{version}", "--pack-destination", str(workdir), "--silent"]
    proc = subprocess.run(
        cmd,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=npm_env(),
        timeout=300,
    )
    if proc.returncode != 0:
        raise SetupError(
            f"`{' '.join(cmd)}` failed (exit {proc.returncode}):\n{proc.stderr.strip()}"
        )
    tarballs = sorted(workdir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SetupError(f"`npm pack {name}@{version}` produced {tarballs!r}, expected one .tgz")
    return tarballs[0]


def unpack_stripped(tarball: Path, dest: Path) -> int:
    """Extract the tarball into dest, dropping the first path component (``package/``)."""
    count = 0
    with tarfile.open(tarball, "r:gz") as tar:
        members = []
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if len(parts) < 2 or not (member.isfile() or member.isdir()):
                continue
            member.name = str(Path(*parts[1:]))
            members.append(member)
            count += member.isfile()
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python < 3.11.4
            for member in members:
                target = (dest / member.name).resolve()
                if not target.is_relative_to(dest.resolve()):
                    raise SetupError(f"refusing to extract {member.name!r} outside {dest}")
            tar.extractall(dest, members=members)
    return count


def install_package(npm: str | None, name: str, version: str, cdn_dir: Path, force: bool) -> str:
    dest = cdn_dir / f"{name}@{version}"
    if (dest / MARKER).exists() and not force:
        return f"ok       {name}@{version} (already in {dest})"
    if npm is None:
        raise SetupError(
            "npm was not found on PATH; it is needed to fetch Solara's front-end assets "
            f"({name}@{version}) from the npm registry. Install Node.js/npm "
            "(e.g. apt-get install -y npm) and run this script again."
        )
    with tempfile.TemporaryDirectory(prefix="solara-assets-") as tmp:
        tmpdir = Path(tmp)
        tarball = npm_pack(npm, name, version, tmpdir)
        staging = tmpdir / "unpacked"
        staging.mkdir()
        nfiles = unpack_stripped(tarball, staging)
        if nfiles == 0:
            raise SetupError(f"{tarball.name} contained no files")
        (staging / MARKER).write_text(f"{name}@{version} from npm pack\n", encoding="utf-8")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(staging, dest)
    return f"fetched  {name}@{version} -> {dest} ({nfiles} files)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--cdn-dir",
        type=Path,
        default=Path(sys.prefix) / "share" / "solara" / "cdn",
        help="Solara's proxy cache folder (default: %(default)s)",
    )
    parser.add_argument(
        "--extra",
        type=parse_spec,
        action="append",
        default=[],
        metavar="NAME@VERSION",
        help="another npm package to put in the cache (repeatable)",
    )
    parser.add_argument("--no-fontawesome", action="store_true", help="skip Font Awesome")
    parser.add_argument(
        "--no-components",
        action="store_true",
        help="skip the packages Solara components load lazily (GridLayout, Markdown, Altair)",
    )
    parser.add_argument("--force", action="store_true", help="re-fetch packages already present")
    args = parser.parse_args(argv)

    try:
        packages = required_packages(
            include_fontawesome=not args.no_fontawesome,
            include_components=not args.no_components,
        )
        packages += [p for p in args.extra if p not in packages]
        npm = shutil.which("npm")
        for name, version in packages:
            print(install_package(npm, name, version, args.cdn_dir, args.force), flush=True)
    except SetupError as exc:
        print(f"setup_solara_assets: ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
