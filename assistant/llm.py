"""The LLM behind llama-index's `LLM` interface: which backend, and the few calls the assistant makes.

`make_llm(settings)` builds llama-index's `OpenAILike` client for every backend: `openai` (any
OpenAI-compatible server), `ollama` (its OpenAI-compatible endpoint) and `local` (llama.cpp's
server on the bundled model, started on first use by `local_llm`). Any other llama-index `LLM` can
be passed to `LLMClient` directly.

`LLMClient` owns the policy: one timeout per request and exactly one retry on a timeout or a
connection error (llama-index's and the OpenAI client's own retries are switched off so the two do
not multiply), and every failure becomes one `LLMUnavailableError` with a plain message.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .config import Settings

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

log = logging.getLogger(__name__)

OLLAMA_URL = "http://127.0.0.1:11434/v1"
LOCAL_MODEL_NAME = "local"
LLM_EXTRA = "pip install 'sources-assistant[llm]'"
ATTEMPTS = 2  # a timeout or a dropped connection is retried once
_YES = "yes"
_NO = "no"
T = TypeVar("T")


class LLMUnavailableError(RuntimeError):
    """The configured LLM cannot be used now: missing extra or model, server down, too slow, or a bad reply."""


Messages = Sequence[tuple[str, str]]


def make_llm(settings: Settings) -> LLM:
    """llama-index's OpenAI-compatible client for `settings.llm` (not `none`)."""
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as error:
        raise LLMUnavailableError(f"llm={settings.llm} needs the llm extra: {LLM_EXTRA}") from error
    base_url: str | None
    model: str | None
    if settings.llm == "local":
        from .local_llm import LocalModelError, shared_server

        try:
            base_url, model = shared_server(settings).base_url, LOCAL_MODEL_NAME
        except LocalModelError as error:
            raise LLMUnavailableError(str(error)) from error
    elif settings.llm == "ollama":
        base_url, model = settings.llm_base_url or OLLAMA_URL, settings.llm_model
        if not model:
            raise LLMUnavailableError("llm=ollama needs a model name: set llm_model (ASSISTANT_LLM_MODEL)")
    elif settings.llm == "openai":
        base_url, model = settings.llm_base_url, settings.llm_model or "default"
        if not base_url:
            raise LLMUnavailableError("llm=openai needs the server's URL: set llm_base_url (ASSISTANT_LLM_BASE_URL)")
    else:
        raise LLMUnavailableError(f"no LLM is configured (llm={settings.llm})")
    assert base_url is not None and model is not None  # each branch above checked its own
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    # max_tokens stays unset here: a client-level value would override the per-call one (1 for the judge).
    return OpenAILike(model=model, api_base=base_url, api_key=key, is_chat_model=True, temperature=0.0,
                      context_window=settings.llm_context, timeout=settings.llm_timeout, max_retries=0)


def _chat_messages(messages: Messages) -> list[Any]:
    from llama_index.core.llms import ChatMessage

    return [ChatMessage(role=role, content=content) for role, content in messages]


def _error_kinds() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...], tuple[type, ...]]:
    """(timeouts, connection failures, HTTP status errors), including the OpenAI client's when it is installed."""
    try:
        import openai
    except ImportError:
        return (TimeoutError,), (ConnectionError,), ()
    return ((TimeoutError, openai.APITimeoutError), (ConnectionError, openai.APIConnectionError),
            (openai.APIStatusError,))


def _transient(error: BaseException) -> bool:
    """A timeout or a connection failure: worth one more try."""
    timeouts, connection, _ = _error_kinds()
    return isinstance(error, timeouts + connection)


def _describe(error: BaseException, timeout: float) -> str:
    timeouts, connection, status = _error_kinds()
    if isinstance(error, timeouts):  # before connection errors: the OpenAI timeout is a kind of connection error
        return f"the language model did not answer within {timeout:g} s"
    if isinstance(error, connection):
        return "the language model's server cannot be reached"
    if isinstance(error, status):
        return f"the language model's server answered with an error ({getattr(error, 'status_code', '?')})"
    return f"the language model failed ({type(error).__name__})"


class LLMClient:
    """The three things the assistant asks of an LLM: a reply, a streamed reply, and P(yes) of a first token."""

    def __init__(self, llm: LLM | Callable[[], LLM], timeout: float = 60.0, max_tokens: int = 200) -> None:
        self._llm = llm
        self.timeout = timeout
        self.max_tokens = max_tokens

    @property
    def llm(self) -> LLM:
        """The llama-index LLM, made on first use when a factory was given (a local server starts then)."""
        if callable(self._llm) and not hasattr(self._llm, "chat"):
            self._llm = self._llm()
        return self._llm  # type: ignore[return-value]

    def _call(self, action: Callable[[], T]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return action()
            except LLMUnavailableError:
                raise
            except Exception as error:  # the client raises many types; all end here
                if attempt < ATTEMPTS and _transient(error):
                    log.warning("LLM request failed (%s); retrying once", _describe(error, self.timeout))
                    continue
                raise LLMUnavailableError(_describe(error, self.timeout)) from error
        raise AssertionError("unreachable")

    def complete(self, messages: Messages, max_tokens: int | None = None) -> str:
        """The whole reply to `messages`."""
        response = self._call(lambda: self.llm.chat(_chat_messages(messages), max_tokens=max_tokens or self.max_tokens))
        return (response.message.content or "").strip()

    def stream(self, messages: Messages) -> Iterator[str]:
        """The reply in pieces as they arrive. A failure before the first piece is retried once; after it, the
        reply so far is abandoned (the caller falls back). The whole reply may take at most the timeout
        times `ATTEMPTS`, so a server that trickles tokens cannot hang the answer."""
        chat = _chat_messages(messages)
        pieces = self._call(lambda: _first_then_rest(self.llm.stream_chat(chat, max_tokens=self.max_tokens)))
        deadline = time.monotonic() + self.timeout * ATTEMPTS
        try:
            for piece in pieces:
                if piece:
                    yield piece
                if time.monotonic() > deadline:
                    limit = self.timeout * ATTEMPTS
                    raise LLMUnavailableError(f"the language model's reply took longer than {limit:g} s")
        except LLMUnavailableError:
            raise
        except Exception as error:
            raise LLMUnavailableError(_describe(error, self.timeout)) from error

    def yes_probability(self, messages: Messages) -> float:
        """P("yes") / (P("yes") + P("no")) for the first token of the reply, from its top log-probabilities.

        A backend that returns no log-probabilities is read by its first word (1.0 for yes, 0.0 otherwise).
        """
        chat = _chat_messages(messages)
        response = self._call(lambda: self.llm.chat(chat, max_tokens=1, logprobs=True, top_logprobs=10))
        first = (response.logprobs or [[]])[0] if response.logprobs else []
        yes = sum(math.exp(p.logprob) for p in first if p.token.strip().lower() == _YES)
        no = sum(math.exp(p.logprob) for p in first if p.token.strip().lower() == _NO)
        if yes + no > 0:
            return yes / (yes + no)
        return 1.0 if (response.message.content or "").strip().lower().startswith(_YES) else 0.0


def _first_then_rest(responses: Iterator[Any]) -> Iterator[str]:
    """Pull the first streamed piece now (so connection errors and timeouts surface inside the retry), then
    yield the deltas lazily."""
    iterator = iter(responses)
    first = next(iterator, None)

    def deltas() -> Iterator[str]:
        if first is None:
            return
        yield first.delta or ""
        for response in iterator:
            yield response.delta or ""

    return deltas()
