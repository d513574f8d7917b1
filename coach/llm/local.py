"""Extra `local`: serve a GGUF file in-process with llama.cpp (xllamacpp), OpenAI-compatible."""

from __future__ import annotations

import functools
import logging
import os
import secrets
from pathlib import Path

from coach.errors import ConfigError, one_line

log = logging.getLogger(__name__)

MODEL_ALIAS = "local-gguf"


@functools.cache
def serve_gguf(path: Path) -> tuple[str, str, str]:
    """Start one server per GGUF for this process; return (base_url, model, api_key)."""
    if not path.is_file():
        raise ConfigError(f"COACH_LLM_GGUF_PATH does not exist: {path}")
    try:
        import xllamacpp
    except ImportError:
        raise ConfigError("a local GGUF needs xllamacpp: pip install 'coach[local]'") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.model_alias = {MODEL_ALIAS}
    params.hostnames = ["127.0.0.1"]  # in-process and private: never reachable from outside
    params.port = 0
    # A random key, so other local users cannot borrow the server.
    api_key = secrets.token_urlsafe(16)
    params.api_keys = [api_key]
    params.n_ctx = 8192
    params.cpuparams.n_threads = os.cpu_count() or 2
    params.ui = False
    params.verbosity = 0  # llama.cpp's own logging would drown coach's output
    try:
        server = xllamacpp.Server(params)
    except Exception as exc:
        raise ConfigError(f"cannot load {path.name}: {one_line(exc)}") from None
    _servers.append(server)  # the server stops when its last reference goes
    log.info("serving %s at %s", path.name, server.listening_address)
    return f"{server.listening_address.rstrip('/')}/v1", MODEL_ALIAS, api_key


_servers: list[object] = []
