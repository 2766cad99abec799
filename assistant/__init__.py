"""A chat assistant over a folder of documents: every answer cites the exact passages it rests on."""

from . import offline  # first: importing it sets the offline environment
from .api import Answer, Assistant, Citation, IndexNotFoundError, StaleIndexError
from .config import Settings
from .ingest import IngestReport

__all__ = ["Answer", "Assistant", "Citation", "IndexNotFoundError", "IngestReport", "Settings", "StaleIndexError",
           "offline"]
