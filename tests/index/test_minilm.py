"""The bundled MiniLM through ONNX Runtime: the same vectors as sentence-transformers, an export
made once per machine, a damaged one made again, torch when ONNX cannot be used."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from coach.index import minilm
from coach.index.embeddings import MiniLMEmbeddings, SentenceTransformerMiniLM
from coach.index.minilm import OnnxMiniLM, graph_path

TEXTS = [
    "What does a CSM do?",
    "",
    "Équipe café: 2,000 € per year ☕",
    # Longer than the model's 256 tokens: both cut it at the same place.
    "The Renewals rotation lasts six months and is open to CSM I and above. " * 40,
]


def test_onnx_gives_the_vectors_sentence_transformers_gives(embeddings):
    assert isinstance(embeddings.model, OnnxMiniLM)  # what the app and the tests run on
    onnx = np.array(embeddings.embed_documents(TEXTS))
    torch = SentenceTransformerMiniLM().encode(TEXTS, batch_size=2)
    assert onnx.shape == torch.shape == (len(TEXTS), 384)
    assert np.abs(onnx - torch).max() < 1e-5
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_the_export_is_made_once_and_a_damaged_one_again(tmp_path, embeddings):
    graph = graph_path(tmp_path)
    graph.parent.mkdir(parents=True, exist_ok=True)
    graph.write_bytes(b"half a file")  # a disk that filled up mid-write, by another tool
    model = minilm.load(tmp_path)
    assert graph.stat().st_size > 50_000_000  # exported again, whole
    made = graph.stat().st_mtime_ns
    assert MiniLMEmbeddings(cache=tmp_path / "new machine").exports_first  # said while starting
    again = MiniLMEmbeddings(cache=tmp_path)
    assert not again.exports_first
    vector = again.embed_query("How long is the Renewals rotation?")
    assert graph.stat().st_mtime_ns == made  # read, not exported a second time
    assert [p.name for p in tmp_path.iterdir()] == [graph.name]  # no scratch file left
    expected = embeddings.embed_query("How long is the Renewals rotation?")
    assert np.abs(np.array(vector) - np.array(expected)).max() < 1e-6
    assert isinstance(model, OnnxMiniLM)


def test_without_onnx_the_same_model_runs_on_torch(tmp_path, monkeypatch, caplog):
    def unavailable(cache):
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setattr(minilm, "load", unavailable)
    with caplog.at_level(logging.WARNING, logger="coach.index.embeddings"):
        model = MiniLMEmbeddings(cache=tmp_path)
        vector = model.embed_query("What does a CSM do?")
    assert isinstance(model.model, SentenceTransformerMiniLM) and len(vector) == 384
    assert "No module named 'onnx'" in caplog.text and "using torch" in caplog.text


@pytest.mark.parametrize("batch_size", [1, 3])
def test_batches_keep_the_order_of_the_texts(embeddings, batch_size):
    together = np.array(embeddings.embed_documents(TEXTS))
    one_by_one = np.array([embeddings.model.encode([t], batch_size)[0] for t in TEXTS])
    batched = embeddings.model.encode(TEXTS, batch_size)
    assert np.abs(batched - together).max() < 1e-5 and np.abs(one_by_one - together).max() < 1e-5
