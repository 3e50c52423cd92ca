"""Embedding: the packaged model loads offline; the NumPy query encoder gives the same vectors
as sentence-transformers; vectors are normalised; the fingerprint identifies the model files."""

import shutil

import numpy as np
import pytest

from assistant.embed import MODEL_NAME, NumpyEmbedder, model_info

SAMPLES = [
    "Why do Indonesian trafficking victims often go unidentified?",
    "Resolution 2331",
    "best sourdough recipe",
    "Qu’est-ce que le travail forcé ? «Ça dépend» — naïve café",
    "indicators " * 300,  # longer than the model keeps: both encoders cut at 256 word pieces
]


def test_numpy_query_encoder_matches_sentence_transformers(model_dir, st_embedder):
    reference = st_embedder.embed_queries(SAMPLES)
    fast = NumpyEmbedder(model_dir).embed_queries(SAMPLES)
    cosines = (reference * fast).sum(axis=1)
    assert cosines.min() >= 0.9999, cosines


def test_vectors_are_unit_length_float32(st_embedder):
    vectors = st_embedder.embed_documents(SAMPLES[:3])
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_related_texts_are_closer_than_unrelated_ones(st_embedder):
    question, related, unrelated = st_embedder.embed_queries(
        [
            "why are trafficking victims not identified",
            "Many victims of trafficking are never identified by officials.",
            "Knead the dough and let it rise overnight.",
        ]
    )
    assert float(question @ related) > float(question @ unrelated) + 0.2


def test_model_info_names_the_packaged_model(model_dir):
    info = model_info(model_dir)
    assert info.name == MODEL_NAME and info.dimension == 384 and info.max_seq_length == 256
    assert len(info.fingerprint) == 32


def test_fingerprint_changes_when_a_model_file_changes(model_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy, ignore=shutil.ignore_patterns("model.safetensors"))
    (copy / "model.safetensors").symlink_to(model_dir / "model.safetensors")
    original = model_info(copy).fingerprint
    (copy / "config.json").write_text(
        (copy / "config.json").read_text().replace('"hidden_dropout_prob": 0.1', '"hidden_dropout_prob": 0.2')
    )
    model_info.cache_clear()
    assert model_info(copy).fingerprint != original


def test_missing_model_files_are_a_clear_error(tmp_path):
    from assistant.embed import resolve_model_dir
    from assistant.errors import EmbedError

    with pytest.raises(EmbedError, match="config.json"):
        resolve_model_dir(tmp_path)
