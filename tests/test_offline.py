"""Offline by construction: importing the package sets the offline environment and loads no networked library."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from assistant import offline

from .conftest import REPO

PROBE = """
import json, os, sys
import assistant
networked = ("huggingface_hub", "transformers", "sentence_transformers", "gradio", "chromadb", "torch")
print(json.dumps({"env": {k: os.environ.get(k) for k in assistant.offline.ENVIRONMENT},
                  "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(networked))}))
"""


def test_importing_the_package_sets_the_offline_environment_and_loads_nothing_networked() -> None:
    clean = {k: v for k, v in os.environ.items() if k not in offline.ENVIRONMENT}
    result = subprocess.run([sys.executable, "-c", PROBE], env={**clean, "PYTHONPATH": str(REPO)},
                            capture_output=True, text=True, check=True)
    probe = json.loads(result.stdout)
    assert probe["env"] == offline.ENVIRONMENT
    assert probe["loaded"] == []
