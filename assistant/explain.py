"""``python -m assistant clean FILE``: what cleaning removes from one file, and why, and the
documents the file becomes; the same rules as a build, so a user can check that no real content
is dropped."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .ingest import (
    Catalogue,
    CorpusFile,
    catalogue_path,
    discover_files,
    extract_file,
    ingest_extraction,
    load_catalogue,
    repeated_line_set,
    web_line_hashes,
)
from .ingest.base import SkipFile
from .ingest.budget import time_budget
from .ingest.formats import is_web_like
from .models import Removal
from .text import safe_line, safe_path, strip_control


def clean_report(file: Path, corpus_dir: Path, settings: Settings, show_text: bool = False) -> str:
    file = file.resolve()
    corpus = corpus_dir.resolve()
    inside = corpus in file.parents
    relative = file.relative_to(corpus).as_posix() if inside else file.name
    stat = file.stat()
    target = CorpusFile(path=file, relative=relative, size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    try:
        with time_budget(settings.ingest.max_seconds_per_file):
            extraction, sha = extract_file(target)
    except SkipFile as skip:
        return f"{safe_path(relative)}: {skip.status}: {safe_line(skip.reason)}"
    repeated: set[str] = set()
    if inside and is_web_like(extraction.format):
        files, _ = discover_files(
            corpus, catalogue_path(corpus, settings.ingest.catalogue_name).name, int(settings.ingest.max_file_mb * 1e6)
        )
        hash_sets = [hashes for hashes in map(web_line_hashes, files) if hashes is not None]
        repeated = repeated_line_set(
            hash_sets, settings.ingest.repeated_line_min_files, settings.ingest.repeated_line_min_share
        )
    # A file outside the corpus has no catalogue entry ("/nonexistent" stood for none, and
    # was read as the catalogue where such a folder exists).
    catalogue = load_catalogue(catalogue_path(corpus, settings.ingest.catalogue_name)) if inside else Catalogue()
    ingested = ingest_extraction(relative, extraction, sha, catalogue, repeated)
    report = ingested.report
    lines = [
        f"{safe_path(relative)}: read as {report.format}; {report.chars_extracted} characters extracted, "
        f"{report.chars_removed} removed"
    ]
    for warning in report.warnings:
        lines.append(f"warning: {safe_line(warning)}")
    lines.append("")
    lines.append(f"Removed or moved to metadata ({len(ingested.removals)}):")
    lines.extend(_removal_lines(ingested.removals))
    lines.append("")
    lines.append(f"Documents ({len(ingested.documents)}):")
    for document in ingested.documents:
        facts = [
            f"{k}: {v}"
            for k, v in (
                ("organisation", document.organisation),
                ("year", document.year),
                ("region", document.region),
                ("type", ", ".join(document.resource_types)),
                ("languages", ", ".join(document.languages)),
                ("listed on", document.source_title),
                ("line", document.source_line),
            )
            if v
        ]
        lines.append(f"  [{safe_line(document.id)}] {safe_line(document.title)}")
        if facts:
            lines.append("      " + "; ".join(strip_control(str(f)) for f in facts))
        lines.append(
            f"      {len(document.text)} characters, {sum(1 for b in document.blocks if b.kind == 'heading')} headings"
        )
        if show_text:
            for paragraph in strip_control(document.text).split("\n"):
                lines.append(f"      | {paragraph}")
    return "\n".join(lines)


def _removal_lines(removals: list[Removal]) -> list[str]:
    """One line per removal; runs of the same rule on consecutive lines are folded."""
    out: list[str] = []
    index = 0
    while index < len(removals):
        removal = removals[index]
        run = [removal]
        while (
            index + len(run) < len(removals)
            and removals[index + len(run)].reason == removal.reason
            and removals[index + len(run)].line - run[-1].line <= 2
        ):
            run.append(removals[index + len(run)])
        if len(run) >= 4:
            sample = ", ".join(repr(strip_control(r.text)) for r in run[:4])
            out.append(f"  lines {run[0].line}-{run[-1].line}: {removal.reason}: {sample}, … ({len(run)} lines)")
        else:
            for item in run:
                out.append(f"  line {item.line}: {item.reason}: {strip_control(item.text)!r}")
        index += len(run)
    return out
