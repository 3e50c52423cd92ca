"""The SQLite store of one index generation: files, documents, chunks (with their text and their
weighted term counts, from which the lexical index is built), and chunk embeddings keyed by the
hash of the embedded text.

A generation's database is written by exactly one build and never changed after it is
published, so readers open it read-only and immutable.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError
from ..models import Block, Chunk, Document, DocumentInfo, FileReport, Filters
from ..text import folded_name

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    format TEXT,
    status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped', 'empty')),
    reason TEXT,
    documents INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    chars_extracted INTEGER NOT NULL DEFAULT 0,
    chars_removed INTEGER NOT NULL DEFAULT 0,
    warnings TEXT NOT NULL DEFAULT '[]',
    line_hashes TEXT NOT NULL DEFAULT '[]',
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    title TEXT NOT NULL,
    organisation TEXT,
    year INTEGER,
    region TEXT,
    resource_types TEXT NOT NULL DEFAULT '[]',
    languages TEXT NOT NULL DEFAULT '[]',
    url TEXT,
    licence TEXT,
    format TEXT NOT NULL,
    source_title TEXT,
    record INTEGER,
    source_line INTEGER,
    page_labels TEXT NOT NULL DEFAULT '{}',
    ocr INTEGER NOT NULL DEFAULT 0,
    text TEXT NOT NULL,
    blocks TEXT NOT NULL DEFAULT '[]',
    indexed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_path ON documents(path);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    section TEXT NOT NULL DEFAULT '[]',
    page INTEGER,
    page_end INTEGER,
    token_count INTEGER NOT NULL,
    language TEXT,
    embed_hash TEXT NOT NULL,
    lexical_terms TEXT NOT NULL DEFAULT '{}',
    lexical_length REAL NOT NULL DEFAULT 0,
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id);
CREATE INDEX IF NOT EXISTS chunks_embed_hash ON chunks(embed_hash);
CREATE TABLE IF NOT EXISTS embeddings (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sentences (
    chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    embed_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_chunk ON sentences(chunk_id);
CREATE INDEX IF NOT EXISTS sentences_embed_hash ON sentences(embed_hash);
"""

_DOCUMENT_COLUMNS = (
    "id, path, title, organisation, year, region, resource_types, languages, url, licence, format, "
    "source_title, record, source_line, page_labels, ocr"
)
_DOCUMENT_COLUMN_COUNT = len(_DOCUMENT_COLUMNS.split(","))


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """One SQLite database. Open with ``Store.create`` (new, writable), ``Store.open_writable``
    (a copy being updated by a build) or ``Store.open_readonly`` (a published generation)."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self.connection = connection
        self.path = path
        connection.create_function("folded_name", 1, folded_name, deterministic=True)

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, schema_version: int) -> Store:
        store = cls.open_writable(path)
        store.connection.executescript(_SCHEMA)
        store.connection.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(schema_version),))
        store.connection.commit()
        return store

    @classmethod
    def open_writable(cls, path: Path) -> Store:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA temp_store = MEMORY")
        return cls(connection, path)

    @classmethod
    def open_readonly(cls, path: Path) -> Store:
        if not path.is_file():
            raise IndexCorruptError(f"{path} is missing")
        uri = f"file:{path.as_posix()}?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            connection.execute("SELECT count(*) FROM meta").fetchone()
        except sqlite3.DatabaseError as error:
            raise IndexCorruptError(f"{path} is not a readable SQLite database ({error})") from error
        return cls(connection, path)

    def close(self) -> None:
        self.connection.close()

    def finish(self) -> None:
        """Make the database self-contained (no WAL file) before it is published."""
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.execute("PRAGMA journal_mode = DELETE")
        self.connection.execute("PRAGMA optimize")

    def schema_version(self) -> int | None:
        row = self.connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None

    # -- writing ---------------------------------------------------------------------------------

    def transaction(self):
        return _Transaction(self.connection)

    def put_file(self, report: FileReport, sha256: str, size: int, mtime_ns: int, line_hashes: Iterable[str]) -> None:
        self.connection.execute(
            "INSERT OR REPLACE INTO files (path, sha256, size, mtime_ns, format, status, reason, documents, "
            "chunks, chars_extracted, chars_removed, warnings, line_hashes, ingested_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.path,
                sha256,
                size,
                mtime_ns,
                report.format,
                report.status,
                report.reason,
                report.documents,
                report.chunks,
                report.chars_extracted,
                report.chars_removed,
                json.dumps(report.warnings),
                json.dumps(sorted(line_hashes)),
                _now(),
            ),
        )

    def put_document(self, document: Document) -> None:
        self.connection.execute(
            f"INSERT INTO documents ({_DOCUMENT_COLUMNS}, text, blocks, indexed_at) "
            f"VALUES ({', '.join('?' * (_DOCUMENT_COLUMN_COUNT + 3))})",
            (
                document.id,
                document.path,
                document.title,
                document.organisation,
                document.year,
                document.region,
                json.dumps(document.resource_types),
                json.dumps(document.languages),
                document.url,
                document.licence,
                document.format,
                document.source_title,
                document.record,
                document.source_line,
                json.dumps({str(k): v for k, v in document.page_labels.items()}, ensure_ascii=False),
                int(document.ocr),
                document.text,
                json.dumps([b.model_dump(exclude_defaults=True) for b in document.blocks]),
                _now(),
            ),
        )

    def put_chunks(
        self,
        chunks: Sequence[Chunk],
        embed_hashes: Sequence[str],
        lexical: Sequence[tuple[dict[str, float], float]],
        ids: Sequence[int] | None = None,
    ) -> list[int]:
        """Insert chunks; with ``ids``, under those ids (a chunk keeps its id across rebuilds)."""
        chosen = list(ids) if ids is not None else [None] * len(chunks)
        ids = []
        for chunk, embed_hash, (counts, length), chunk_id in zip(chunks, embed_hashes, lexical, chosen):
            cursor = self.connection.execute(
                "INSERT INTO chunks (id, document_id, ordinal, char_start, char_end, section, page, page_end, "
                "token_count, language, embed_hash, lexical_terms, lexical_length, text) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chunk_id,
                    chunk.document_id,
                    chunk.ordinal,
                    chunk.char_start,
                    chunk.char_end,
                    json.dumps(list(chunk.section)),
                    chunk.page,
                    chunk.page_end,
                    chunk.token_count,
                    chunk.language,
                    embed_hash,
                    json.dumps(counts, ensure_ascii=False, separators=(",", ":")),
                    length,
                    chunk.text,
                ),
            )
            ids.append(int(cursor.lastrowid))
        return ids

    def put_sentences(self, chunk_id: int, spans: Sequence[tuple[int, int]], embed_hashes: Sequence[str]) -> None:
        """A chunk's sentence units: offsets into the chunk's text, and the hash of their vector."""
        self.connection.executemany(
            "INSERT INTO sentences (chunk_id, char_start, char_end, embed_hash) VALUES (?, ?, ?, ?)",
            ((chunk_id, start, end, embed_hash) for (start, end), embed_hash in zip(spans, embed_hashes)),
        )

    def chunk_identities(self, path: str) -> dict[tuple[str, int, int, str], int]:
        """The ids of a file's chunks by what identifies their text: (document, start, end, text)."""
        rows = self.connection.execute(
            "SELECT c.id, c.document_id, c.char_start, c.char_end, c.text FROM chunks c JOIN documents d ON d.id = "
            "c.document_id WHERE d.path = ?",
            (path,),
        )
        return {(document, start, end, text): int(chunk_id) for chunk_id, document, start, end, text in rows}

    def max_chunk_id(self) -> int:
        return int(self.connection.execute("SELECT coalesce(max(id), 0) FROM chunks").fetchone()[0])

    def delete_file(self, path: str) -> int:
        """Remove a file with its documents and chunks; returns chunks removed."""
        removed = self.connection.execute(
            "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path = ?", (path,)
        ).fetchone()[0]
        self.connection.execute("DELETE FROM files WHERE path = ?", (path,))
        return int(removed)

    def missing_embeddings(self, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        present: set[str] = set()
        values = list(wanted)
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            present.update(
                row[0] for row in self.connection.execute(f"SELECT hash FROM embeddings WHERE hash IN ({marks})", batch)
            )
        return wanted - present

    def put_embeddings(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        self.connection.executemany(
            "INSERT OR REPLACE INTO embeddings (hash, vector) VALUES (?, ?)",
            ((h, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for h, v in zip(hashes, vectors)),
        )

    def drop_unused_embeddings(self) -> int:
        cursor = self.connection.execute(
            "DELETE FROM embeddings WHERE hash NOT IN (SELECT embed_hash FROM chunks UNION SELECT embed_hash FROM "
            "sentences)"
        )
        return cursor.rowcount

    # -- reading ---------------------------------------------------------------------------------

    def iter_vectors(self, dimension: int, batch: int = 4096) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(chunk ids, vectors) in id order, in batches: bounded memory for large indexes."""
        return self._id_vectors(
            "SELECT c.id, e.vector FROM chunks c JOIN embeddings e ON e.hash = c.embed_hash ORDER BY c.id",
            dimension,
            batch,
        )

    def iter_sentence_vectors(self, dimension: int, batch: int = 8192) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(chunk id of each sentence, vectors), sentences in chunk id order, in batches."""
        return self._id_vectors(
            "SELECT s.chunk_id, e.vector FROM sentences s JOIN embeddings e ON e.hash = s.embed_hash ORDER BY "
            "s.chunk_id, s.rowid",
            dimension,
            batch,
        )

    def _id_vectors(self, sql: str, dimension: int, batch: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        cursor = self.connection.execute(sql)
        while rows := cursor.fetchmany(batch):
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(len(rows), dimension)
            yield ids, vectors

    def chunk_count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def count(self, table: str) -> int:
        assert table in {"files", "documents", "chunks", "embeddings", "sentences"}
        return int(self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def file_rows(self) -> list[dict]:
        cursor = self.connection.execute("SELECT * FROM files ORDER BY path")
        names = [c[0] for c in cursor.description]
        rows = []
        for values in cursor.fetchall():
            row = dict(zip(names, values))
            row["warnings"] = json.loads(row["warnings"])
            row["line_hashes"] = json.loads(row["line_hashes"])
            rows.append(row)
        return rows

    def document_infos(self) -> list[DocumentInfo]:
        rows = self.connection.execute(f"SELECT {_DOCUMENT_COLUMNS} FROM documents ORDER BY path, record").fetchall()
        return [_document_info(row) for row in rows]

    def document(self, document_id: str) -> Document | None:
        row = self.connection.execute(
            f"SELECT {_DOCUMENT_COLUMNS}, text, blocks FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            return None
        count = _DOCUMENT_COLUMN_COUNT
        info = _document_info(row[:count])
        blocks = [Block(**b) for b in json.loads(row[count + 1])]
        return Document(**info.model_dump(), page_labels=info.page_labels, text=row[count], blocks=blocks)

    def document_slice(self, document_id: str, start: int, end: int) -> str | None:
        """``document.text[start:end]`` without loading the whole text (SQLite counts characters
        as Python does, in code points)."""
        row = self.connection.execute(
            "SELECT substr(text, ?, ?) FROM documents WHERE id = ?", (start + 1, end - start, document_id)
        ).fetchone()
        return row[0] if row else None

    def document_length(self, document_id: str) -> int:
        """The length of a document's cleaned text, in code points (0: no such document)."""
        row = self.connection.execute("SELECT length(text) FROM documents WHERE id = ?", (document_id,)).fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def document_blocks(self, document_id: str) -> list[Block]:
        """A document's structure spans (paragraphs and headings with their section and page)."""
        row = self.connection.execute("SELECT blocks FROM documents WHERE id = ?", (document_id,)).fetchone()
        return [Block(**b) for b in json.loads(row[0])] if row else []

    def sentence_units(self, chunk_ids: Sequence[int]) -> dict[int, list[tuple[int, int]]]:
        """Each chunk's sentence units (spans inside the chunk's text), in the order their
        vectors are stored."""
        result: dict[int, list[tuple[int, int]]] = {}
        values = list(dict.fromkeys(int(i) for i in chunk_ids))
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            for chunk_id, begin, end in self.connection.execute(
                f"SELECT chunk_id, char_start, char_end FROM sentences WHERE chunk_id IN ({marks}) ORDER BY chunk_id, "
                "rowid",
                batch,
            ):
                result.setdefault(int(chunk_id), []).append((int(begin), int(end)))
        return result

    def chunks_of_document(self, document_id: str) -> list[Chunk]:
        rows = self.connection.execute(
            "SELECT id, document_id, ordinal, char_start, char_end, section, page, page_end, token_count, text "
            "FROM chunks WHERE document_id = ? ORDER BY ordinal",
            (document_id,),
        ).fetchall()
        return [_chunk(row) for row in rows]

    def chunk_rows(self, ids: Sequence[int]) -> dict[int, tuple[Chunk, DocumentInfo, str]]:
        """Chunks with their document info and indexed-at time, by id."""
        result: dict[int, tuple[Chunk, DocumentInfo, str]] = {}
        values = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            rows = self.connection.execute(
                "SELECT c.id, c.document_id, c.ordinal, c.char_start, c.char_end, c.section, c.page, c.page_end, "
                "c.token_count, c.text, d.indexed_at, "
                f"{', '.join('d.' + c.strip() for c in _DOCUMENT_COLUMNS.split(','))} "
                f"FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})",
                batch,
            ).fetchall()
            for row in rows:
                result[int(row[0])] = (_chunk(row[:10]), _document_info(row[11:]), row[10])
        return result

    def chunk_languages(self, exclude: str = "en") -> dict[int, str]:
        """Language of every chunk whose language is known and is not ``exclude``."""
        rows = self.connection.execute(
            "SELECT id, language FROM chunks WHERE language IS NOT NULL AND language != ?", (exclude,)
        )
        return {int(r[0]): r[1] for r in rows}

    def chunk_texts(self, ids: Sequence[int]) -> dict[int, str]:
        values = list(dict.fromkeys(int(i) for i in ids))
        result: dict[int, str] = {}
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            result.update(
                (int(r[0]), r[1])
                for r in self.connection.execute(f"SELECT id, text FROM chunks WHERE id IN ({marks})", batch)
            )
        return result

    def sections_containing(
        self, document_ids: Sequence[str], words: Sequence[str]
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        """(chunk id, document id, section path) of the chunks of some documents whose section path
        contains one of ``words`` (case-insensitively), in each document's reading order."""
        if not document_ids or not words:
            return []
        documents = list(dict.fromkeys(document_ids))
        marks = ",".join("?" * len(documents))
        likes = " OR ".join("section LIKE ?" for _ in words)
        rows = self.connection.execute(
            f"SELECT id, document_id, section FROM chunks WHERE document_id IN ({marks}) AND ({likes}) ORDER BY "
            "document_id, ordinal",
            [*documents, *(f"%{w}%" for w in words)],
        ).fetchall()
        return [(int(r[0]), r[1], tuple(json.loads(r[2]))) for r in rows]

    def chunk_documents(self, ids: Sequence[int]) -> dict[int, str]:
        """Document id of each chunk id."""
        result: dict[int, str] = {}
        values = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            result.update(
                (int(r[0]), r[1])
                for r in self.connection.execute(f"SELECT id, document_id FROM chunks WHERE id IN ({marks})", batch)
            )
        return result

    def filtered_chunk_ids(self, filters: Filters) -> np.ndarray:
        where, params = filter_clause(filters)
        rows = self.connection.execute(
            f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE {where}", params
        ).fetchall()
        return np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))

    def iter_lexical(self, ids: Sequence[int] | None = None, batch: int = 4096):
        """(chunk id, weighted term counts as JSON, length) in id order, for the lexical index;
        all chunks, or only ``ids``."""
        if ids is None:
            cursor = self.connection.execute("SELECT id, lexical_terms, lexical_length FROM chunks ORDER BY id")
            while rows := cursor.fetchmany(batch):
                yield from rows
            return
        for start in range(0, len(ids), 500):
            part = list(ids[start : start + 500])
            marks = ",".join("?" * len(part))
            yield from self.connection.execute(
                f"SELECT id, lexical_terms, lexical_length FROM chunks WHERE id IN ({marks}) ORDER BY id", part
            )

    def chunk_ids(self) -> set[int]:
        return {int(r[0]) for r in self.connection.execute("SELECT id FROM chunks")}

    def chunks_around(self, ids: Sequence[int], radius: int) -> list[int]:
        """The chunks within ``radius`` places of some chunks in their documents (the chunks
        themselves included), in document order."""
        values = list(dict.fromkeys(int(i) for i in ids))
        if not values or radius < 0:
            return []
        marks = ",".join("?" * len(values))
        rows = self.connection.execute(
            "SELECT n.id FROM chunks c JOIN chunks n ON n.document_id = c.document_id AND n.ordinal BETWEEN c.ordinal "
            "- ? AND c.ordinal + ? "
            f"WHERE c.id IN ({marks}) GROUP BY n.id ORDER BY n.document_id, n.ordinal",
            [radius, radius, *values],
        )
        return [int(r[0]) for r in rows]

    def iter_chunk_texts(self, batch: int = 2048) -> Iterator[str]:
        cursor = self.connection.execute("SELECT text FROM chunks")
        while rows := cursor.fetchmany(batch):
            yield from (row[0] for row in rows)

    def chunk_hashes(self) -> list[tuple[int, str]]:
        """(chunk id, hash of the text the model embedded) of every chunk, in id order."""
        return [(int(r[0]), r[1]) for r in self.connection.execute("SELECT id, embed_hash FROM chunks ORDER BY id")]

    def chunk_contexts(self, ids: Sequence[int]) -> dict[int, tuple[str, tuple[str, ...], str, int]]:
        """(document title, section path, text, word pieces) of some chunks: what the text the
        model embeds is made from."""
        result = {}
        values = list(dict.fromkeys(int(i) for i in ids))
        for start in range(0, len(values), 500):
            batch = values[start : start + 500]
            marks = ",".join("?" * len(batch))
            for row in self.connection.execute(
                "SELECT c.id, d.title, c.section, c.text, c.token_count FROM chunks c JOIN documents d ON d.id = "
                f"c.document_id WHERE c.id IN ({marks})",
                batch,
            ):
                result[int(row[0])] = (row[1], tuple(json.loads(row[2])), row[3], int(row[4]))
        return result

    def sorted_chunk_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.connection.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)

    def without_embedding(self, table: str = "chunks") -> int:
        """Chunks (or sentence units) whose embedding is not stored."""
        assert table in {"chunks", "sentences"}
        return int(
            self.connection.execute(
                f"SELECT count(*) FROM {table} t LEFT JOIN embeddings e ON e.hash = t.embed_hash WHERE e.hash IS NULL"
            ).fetchone()[0]
        )

    def quick_check(self) -> str:
        """SQLite's own check of the file's structure: "ok", or what is wrong."""
        return str(self.connection.execute("PRAGMA quick_check").fetchone()[0])

    def facet_values(self) -> dict[str, list[str]]:
        """Known values of each filterable field, for filter menus and error messages."""
        regions = sorted(
            {r[0] for r in self.connection.execute("SELECT DISTINCT region FROM documents WHERE region IS NOT NULL")}
        )
        # One name per organisation however its documents spell it: the spelling most of them use.
        spellings = Counter(
            r[0] for r in self.connection.execute("SELECT organisation FROM documents WHERE organisation IS NOT NULL")
        )
        by_name: dict[str | None, str] = {}
        for spelling, _ in sorted(spellings.items(), key=lambda item: (-item[1], item[0])):
            by_name.setdefault(folded_name(spelling), spelling)
        organisations = sorted(by_name.values())
        types: set[str] = set()
        for (value,) in self.connection.execute("SELECT DISTINCT resource_types FROM documents"):
            types.update(json.loads(value))
        years = [
            r[0]
            for r in self.connection.execute("SELECT DISTINCT year FROM documents WHERE year IS NOT NULL ORDER BY year")
        ]
        return {
            "region": regions,
            "type": sorted(types),
            "organisation": organisations,
            "year": [str(y) for y in years],
        }


def filter_clause(filters: Filters) -> tuple[str, list]:
    """SQL over ``d`` (documents) for the given filters; matching is case-insensitive."""
    clauses: list[str] = ["1"]
    params: list = []
    if filters.regions:
        clauses.append(f"lower(d.region) IN ({','.join('?' * len(filters.regions))})")
        params += [v.lower() for v in filters.regions]
    if filters.organisations:
        clauses.append(f"folded_name(d.organisation) IN ({','.join('?' * len(filters.organisations))})")
        params += [folded_name(v) for v in filters.organisations]
    if filters.resource_types:
        clauses.append(
            "EXISTS (SELECT 1 FROM json_each(d.resource_types) t WHERE lower(t.value) IN "
            f"({','.join('?' * len(filters.resource_types))}))"
        )
        params += [v.lower() for v in filters.resource_types]
    if filters.documents:
        marks = ",".join("?" * len(filters.documents))
        clauses.append(f"(d.id IN ({marks}) OR d.path IN ({marks}))")
        params += list(filters.documents) * 2
    if filters.year_from is not None:
        clauses.append("d.year >= ?")
        params.append(filters.year_from)
    if filters.year_to is not None:
        clauses.append("d.year <= ?")
        params.append(filters.year_to)
    return " AND ".join(clauses), params


def _document_info(row: Sequence) -> DocumentInfo:
    return DocumentInfo(
        id=row[0],
        path=row[1],
        title=row[2],
        organisation=row[3],
        year=row[4],
        region=row[5],
        resource_types=json.loads(row[6]),
        languages=json.loads(row[7]),
        url=row[8],
        licence=row[9],
        format=row[10],
        source_title=row[11],
        record=row[12],
        source_line=row[13],
        page_labels={int(k): v for k, v in json.loads(row[14] or "{}").items()},
        ocr=bool(row[15]),
    )


def _chunk(row: Sequence) -> Chunk:
    return Chunk(
        id=int(row[0]),
        document_id=row[1],
        ordinal=row[2],
        char_start=row[3],
        char_end=row[4],
        section=tuple(json.loads(row[5])),
        page=row[6],
        page_end=row[7],
        token_count=row[8],
        text=row[9],
    )


class _Transaction:
    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self):
        self.connection.execute("BEGIN")
        return self.connection

    def __exit__(self, kind, value, traceback):
        self.connection.execute("COMMIT" if kind is None else "ROLLBACK")
        return False
