"""A chat assistant over a folder of documents: every answer cites the exact passages it rests on."""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from .api import Answer, Assistant, Citation, IndexNotFoundError
from .config import Settings
from .ingest import IngestReport

__all__ = ["Answer", "Assistant", "Citation", "IndexNotFoundError", "IngestReport", "Settings"]
