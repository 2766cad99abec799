"""One validated `Settings` object, read from arguments or `ASSISTANT_*` env vars, passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL_PATH = Path.home() / ".cache" / "sources-assistant" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
LLMBackend = Literal["none", "local", "openai", "ollama"]


class Settings(BaseSettings):
    """Everything the assistant can be configured with; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", frozen=True)

    sources_dir: Path = Field(Path("sources"), description="Folder of documents to index.")
    index_dir: Path = Field(Path("index"), description="Where the embedded Chroma store lives.")
    collection: str = Field("chunks", description="Chroma collection holding the chunks.")
    chroma_host: str | None = Field(None, description="Chroma server host; unset = embedded store.")
    chroma_port: int = Field(8000, ge=1, le=65535)

    # ONNX fp32 by default: the same eval scores as torch on every corpus, faster, and no torch import (README
    # "Benchmarks"); int8 is faster still but lost up to 0.026 fact recall on the eval corpora.
    embedder: Literal["torch", "onnx", "onnx-int8"] = Field(
        "onnx", description="How MiniLM runs: sentence-transformers (torch), or ONNX Runtime in fp32 or int8.")
    model_cache_dir: Path = Field(Path.home() / ".cache" / "sources-assistant",
                                  description="Where the ONNX exports of the local weights are kept.")
    chunk_tokens: int = Field(200, ge=32, le=256, description="Max word pieces per chunk (MiniLM window is 256).")
    chunk_overlap: int = Field(24, ge=0, le=128)
    embed_batch_size: int = Field(64, ge=1, le=1024,
                                  description="Texts per model run (torch; ONNX runs one at a time).")
    ingest_lock_wait: float = Field(600.0, ge=0, description="Seconds an ingest waits for another one on the same "
                                    "index before giving up (0 = do not wait).")
    max_file_bytes: int = Field(20_000_000, ge=1, description="Larger files are skipped.")
    max_document_chunks: int = Field(5_000, ge=1, description="A document that would make more chunks is skipped "
                                     "(about 4 MB of prose; each chunk costs an embedding).")

    retrieve_k: int = Field(20, ge=1, le=200, description="Candidates taken from each retriever.")
    fused_k: int = Field(8, ge=1, le=50, description="Chunks kept after rank fusion.")
    max_evidence: int = Field(5, ge=1, le=10, description="Most answer sentences (each with its marker).")
    refusal_threshold: float = Field(0.30, ge=0.0, le=1.0, description="Least evidence score to answer.")
    max_question_chars: int = Field(2000, ge=10)
    max_history_turns: int = Field(50, ge=0, description="Most earlier turns a question may come with.")
    max_history_chars: int = Field(100_000, ge=0, description="Most characters of earlier turns, all together.")

    llm: LLMBackend = Field("none", description="Who writes answers: none (extractive), local, openai, ollama.")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server URL (…/v1); `local` starts its own.")
    llm_model: str | None = Field(None, description="Model name the server knows (openai, ollama).")
    llm_api_key: SecretStr | None = Field(None, description="API key, if the server wants one.")
    llm_model_path: Path = Field(DEFAULT_MODEL_PATH, description="GGUF file for `local` (`make llm` puts it here).")
    llm_timeout: float = Field(60.0, gt=0, le=3600, description="Seconds one LLM request may take; then one retry.")
    llm_threads: int = Field(2, ge=1, le=256, description="CPU threads of the local model.")
    llm_context: int = Field(4096, ge=512, le=131072, description="Context window of the local model, in tokens.")
    llm_max_tokens: int = Field(200, ge=16, le=4096, description="Most tokens an answer may have.")
    llm_passages: int = Field(5, ge=1, le=20, description="Numbered passages given to the model.")
    verify: Literal["none", "llm"] = Field(
        "none", description="llm = answers stay extractive, the LLM only judges answerability.")
    judge_threshold: float = Field(0.387, ge=0.0, le=1.0, description="Least P(yes) of the answerability judge "
                                   "(fitted by evals/fit_judge.py: evals/judge/fit.json).")
    judge_passages: int = Field(2, ge=1, le=10, description="Top passages the judge reads, one at a time.")
    unsupported: Literal["remove", "flag"] = Field("remove", description="What happens to an unsupported sentence.")

    @field_validator("chroma_host")
    @classmethod
    def _blank_host_means_embedded(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("llm_base_url", "llm_model")
    @classmethod
    def _blank_means_unset(cls, value: str | None) -> str | None:
        return value or None

    @property
    def store_location(self) -> str:
        """Human-readable place the index lives: a folder or a server URL."""
        if self.chroma_host:
            return f"http://{self.chroma_host}:{self.chroma_port}"
        return str(self.index_dir)
