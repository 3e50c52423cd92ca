"""Shared fixtures: the real model (loaded once per session), a real index of the bundled corpus
built once per session in a temporary folder, and a guard that fails any network access."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

REPO = Path(__file__).resolve().parents[1]
BUNDLED_CORPUS = REPO / "corpus"


class NetworkAccessError(AssertionError):
    pass


@pytest.fixture(scope="session", autouse=True)
def no_network():
    """Any attempt to open a network connection or resolve a host fails the test run: the
    product must work offline. Local socketpairs (used by asyncio) stay allowed."""

    def refuse(*args, **kwargs):
        raise NetworkAccessError(f"network access attempted: {args[1:] if len(args) > 1 else args}")

    originals = (socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo, socket.create_connection)
    socket.socket.connect = refuse
    socket.socket.connect_ex = refuse
    socket.getaddrinfo = refuse
    socket.create_connection = refuse
    yield
    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo, socket.create_connection = originals


@pytest.fixture(scope="session")
def model_dir() -> Path:
    from assistant.embed import default_model_dir

    return default_model_dir()


@pytest.fixture(scope="session")
def pieces(model_dir):
    from assistant.tokens import word_pieces_for

    return word_pieces_for(str(model_dir))


@pytest.fixture(scope="session")
def st_embedder(model_dir):
    """sentence-transformers on the real model, shared by every test that embeds."""
    from assistant.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_dir)


@pytest.fixture(scope="session")
def shared_embedder_factory(st_embedder):
    return lambda _model_dir: st_embedder


@pytest.fixture
def anyio_backend():
    """Async tests (Textual's Pilot) run on asyncio, the loop Textual runs on."""
    return "asyncio"


@pytest.fixture
def settings(tmp_path):
    from assistant.config import Settings

    result = Settings()
    result.paths.index_dir = tmp_path / "index"
    result.paths.corpus_dir = tmp_path / "corpus"
    result.show_progress = False
    result.tui.report_dir = tmp_path / "reports"
    return result


@pytest.fixture(scope="session")
def bundled_index(tmp_path_factory, shared_embedder_factory) -> Path:
    """A real index (real model, FAISS, SQLite) of a copy of the bundled corpus."""
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    root = tmp_path_factory.mktemp("bundled")
    corpus = root / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    settings = Settings()
    settings.show_progress = False
    Pipeline(settings, index_dir=root / "index", corpus_dir=corpus).build(embedder_factory=shared_embedder_factory)
    return root / "index"


@pytest.fixture(scope="session")
def bundled_pipeline(bundled_index):
    from assistant.config import Settings
    from assistant.pipeline import Pipeline

    pipeline = Pipeline(Settings(), index_dir=bundled_index, corpus_dir=bundled_index.parent / "corpus")
    pipeline.open()
    yield pipeline
    pipeline.close()


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path):
    """Three short Markdown guidance files (tests/fixtures_build.PARAGRAPHS)."""
    from .fixtures_build import PARAGRAPHS

    folder = tmp_path / "corpus"
    for name, text in PARAGRAPHS.items():
        write(folder / name, text)
    return folder


@pytest.fixture
def fake():
    """A deterministic embedder, for storage mechanics where meaning does not matter."""
    from .fixtures_build import FakeEmbedder

    return FakeEmbedder()
