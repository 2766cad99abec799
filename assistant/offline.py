"""The environment that keeps every library offline: set here, once, for the product, tests and benchmarks.

huggingface_hub and transformers would look for newer model files online, gradio would send
analytics, Chroma telemetry; none of that may leave the machine. Importing this module (which
`import assistant` does first, before any of those libraries is loaded) applies them without
overriding what the user set; the tests force them, and launchers pass `ENVIRONMENT` to workers.
"""

from __future__ import annotations

import os

ENVIRONMENT: dict[str, str] = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",  # the tokenizer's thread pool warns and can deadlock after fork
}


def apply(force: bool = False) -> None:
    """Put the offline variables into this process's environment; `force` overrides values already set."""
    for key, value in ENVIRONMENT.items():
        if force:
            os.environ[key] = value
        else:
            os.environ.setdefault(key, value)


apply()
