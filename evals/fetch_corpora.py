#!/usr/bin/env python3
"""Fetch the eval corpora: real documents from Debian or PyPI packages, never written by us.

Each `evals/corpora/NAME/corpus.toml` says where its documents come from:

    description = "Sphinx HTML pages of the Python 3.11 library reference"
    [fetch]
    debian = "python3.11-doc"            # a Debian package (apt-get download + dpkg-deb -x), or
    # pypi = "some-project==1.2.3"       # a PyPI sdist (pip download --no-binary :all:), or
    # pypi_wheel = "some-project==1.2.3" # a PyPI wheel
    root = "usr/share/doc/python3.11/html/library"   # folder inside the unpacked package
    files = ["itertools.html", "zipfile.html"]        # paths under root, copied as they are

The documents land in `evals/corpora/NAME/sources/` (gitignored); packages are cached in
`~/.cache/sources-assistant/packages`. Usage: `python evals/fetch_corpora.py [NAME ...]`.
Standard library only, so it runs before the project is installed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

CORPORA = Path(__file__).resolve().parent / "corpora"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sources-assistant" / "packages"


class FetchError(RuntimeError):
    """A corpus could not be fetched; the message says which package and why."""


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise FetchError(f"`{' '.join(command)}` failed: {result.stderr.strip()[-500:]}")


def _sudo() -> list[str]:
    return [] if os.geteuid() == 0 or not shutil.which("sudo") else ["sudo"]


def _unpacked_debian(package: str) -> Path:
    target = CACHE / "debian" / package
    if (target / ".done").exists():
        return target
    download = CACHE / "debian" / f"{package}.download"
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir(parents=True)
    try:
        _run(["apt-get", "download", package], download)
    except FetchError:  # the package lists may be missing on a fresh machine
        _run([*_sudo(), "apt-get", "update", "-qq"], download)
        _run(["apt-get", "download", package], download)
    debs = sorted(download.glob("*.deb"))
    if not debs:
        raise FetchError(f"apt-get download {package} produced no .deb")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _run(["dpkg-deb", "-x", str(debs[0]), str(target)], download)
    shutil.rmtree(download, ignore_errors=True)
    (target / ".done").touch()
    return target


def _unpacked_pypi(requirement: str, wheel: bool) -> Path:
    kind = "wheel" if wheel else "sdist"
    target = CACHE / f"pypi-{kind}" / requirement.replace("=", "_")
    if (target / ".done").exists():
        return target
    download = target.with_suffix(".download")
    shutil.rmtree(download, ignore_errors=True)
    download.mkdir(parents=True)
    only = ["--only-binary", ":all:"] if wheel else ["--no-binary", ":all:"]
    _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *only, requirement, "-d", "."], download)
    archives = sorted(download.iterdir())
    if not archives:
        raise FetchError(f"pip download {requirement} produced no file")
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = archives[0]
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as bundle:
            bundle.extractall(target)
    else:
        with tarfile.open(archive) as bundle:
            bundle.extractall(target, filter="data")
    shutil.rmtree(download, ignore_errors=True)
    (target / ".done").touch()
    return target


def fetch(name: str) -> Path:
    """Copy corpus NAME's documents into its sources/ folder (idempotent); return that folder."""
    folder = CORPORA / name
    spec = tomllib.loads((folder / "corpus.toml").read_text(encoding="utf-8"))
    if "fetch" not in spec:  # a corpus committed with the repository (the bundled articles)
        return folder / spec.get("sources", "sources")
    how = spec["fetch"]
    if "debian" in how:
        unpacked = _unpacked_debian(how["debian"])
    elif "pypi" in how or "pypi_wheel" in how:
        unpacked = _unpacked_pypi(how.get("pypi") or how["pypi_wheel"], wheel="pypi_wheel" in how)
    else:
        raise FetchError(f"{name}: [fetch] needs debian, pypi or pypi_wheel")
    root = unpacked / how.get("root", "")
    if "pypi" in how and not root.exists():  # sdists unpack into NAME-VERSION/
        nested = [p for p in unpacked.iterdir() if p.is_dir()]
        root = nested[0] / how.get("root", "") if len(nested) == 1 else root
    target = folder / "sources"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for relative in how["files"]:
        source = root / relative
        if not source.is_file():
            raise FetchError(f"{name}: {relative} is not in the package (looked in {root})")
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    return target


def corpus_names() -> list[str]:
    return sorted(p.parent.name for p in CORPORA.glob("*/corpus.toml"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpora to fetch (default: all)")
    names = parser.parse_args().names or corpus_names()
    for name in names:
        try:
            target = fetch(name)
        except (FetchError, OSError, KeyError, tomllib.TOMLDecodeError) as error:
            print(f"{name}: {error}", file=sys.stderr)
            return 1
        print(f"{name}: {sum(1 for p in target.rglob('*') if p.is_file())} documents in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
