"""A real OpenAI-compatible HTTP server on 127.0.0.1 whose "model" follows a script: the only fake in the LLM tests.

It speaks the chat-completions wire format (plain and server-sent-event streaming, first-token
log-probabilities), so the assistant's real llama-index client, timeouts and retries are exercised.
Replies are chosen by the kind of prompt (judge, answer, condense) from `ScriptedLLM.script`.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.prompts import CONDENSE_SYSTEM, JUDGE_SYSTEM

Reply = str | Callable[[list[dict[str, Any]]], str]


@dataclass
class Script:
    """What the model says: `answer` to answer prompts, P(yes) `judge` to judge prompts, `condense` to rewrites."""

    answer: Reply = "The sources do not say."
    judge: float | Callable[[list[dict[str, Any]]], float] = 0.95
    condense: Reply | None = None
    delay: float = 0.0  # seconds before an answer's reply (headers included): a slow generation
    judge_delay: float = 0.0
    word_delay: float = 0.0  # seconds between streamed words: a slow generation the UI can be watched during
    fail_first: int = 0  # this many requests get a dropped connection before the script applies


@dataclass
class ScriptedLLM:
    host: str
    port: int
    script: Script = field(default_factory=Script)
    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    def kinds(self) -> list[str]:
        """The kind of every request received so far, in order."""
        return [prompt_kind(r["messages"]) for r in self.requests]


def prompt_kind(messages: list[dict[str, Any]]) -> str:
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    if system == JUDGE_SYSTEM:
        return "judge"
    if system == CONDENSE_SYSTEM:
        return "condense"
    return "answer"


def user_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["content"] for m in messages if m["role"] == "user")


def passage_number(messages: list[dict[str, Any]], needle: str) -> int:
    """The number of the first passage in the prompt that contains `needle` (what a model would cite)."""
    for match in re.finditer(r'<passage n="(\d+)"[^>]*>\n(.*?)\n</passage>', user_text(messages), re.DOTALL):
        if needle in match.group(2):
            return int(match.group(1))
    raise AssertionError(f"no passage with {needle!r} was given")


def _reply(reply: Reply, messages: list[dict[str, Any]]) -> str:
    return reply(messages) if callable(reply) else reply


class _Handler(BaseHTTPRequestHandler):
    """Serves one `ScriptedLLM` (set on a subclass by `make_handler`)."""

    protocol_version = "HTTP/1.1"
    state: ScriptedLLM
    lock: threading.Lock

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            self._json({"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        else:
            self.send_error(404)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with self.lock:
            self.state.requests.append(body)
            drop = self.state.script.fail_first > 0
            if drop:
                self.state.script.fail_first -= 1
        if drop:
            self.connection.shutdown(2)  # the connection dies without a reply
            return
        messages = body.get("messages", [])
        kind = prompt_kind(messages)
        delay = self.state.script.judge_delay if kind == "judge" else self.state.script.delay
        if delay:
            time.sleep(delay)
        if kind == "judge":
            judge = self.state.script.judge
            p_yes = judge(messages) if callable(judge) else judge
            self._json(_completion("yes" if p_yes >= 0.5 else "no", _yes_no_logprobs(p_yes)))
            return
        text = _reply(self.state.script.condense, messages) if kind == "condense" and self.state.script.condense else \
            _reply(self.state.script.answer, messages)
        if body.get("stream"):
            self._stream(text)
        else:
            self._json(_completion(text))

    def _json(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout): nothing to send to

    def _stream(self, text: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        words = text.split(" ")
        for i, word in enumerate(words):
            piece = word if i == 0 else " " + word
            chunk = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                     "choices": [{"index": 0, "delta": {"role": "assistant", "content": piece},
                                  "finish_reason": None}]}
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            if self.state.script.word_delay:
                time.sleep(self.state.script.word_delay)
        done = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        self.wfile.flush()
        self.close_connection = True





def make_handler(state: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    return type("ScriptedHandler", (_Handler,), {"state": state, "lock": threading.Lock()})


def _yes_no_logprobs(p_yes: float) -> dict[str, Any]:
    p_yes = min(max(p_yes, 1e-6), 1 - 1e-6)
    top = [{"token": "yes", "logprob": math.log(p_yes), "bytes": None},
           {"token": "no", "logprob": math.log(1 - p_yes), "bytes": None}]
    first = top[0] if p_yes >= 0.5 else top[1]
    return {"content": [{**first, "top_logprobs": top}]}


def _completion(text: str, logprobs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": "c", "object": "chat.completion", "created": 0, "model": "scripted",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop",
                         "logprobs": logprobs}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


def start_scripted_llm() -> tuple[ScriptedLLM, Callable[[], None]]:
    """Serve a scripted model on a free loopback port; returns its state and a stop function."""
    state = ScriptedLLM("127.0.0.1", 0)
    server = _Server(("127.0.0.1", 0), make_handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()

    return state, stop
