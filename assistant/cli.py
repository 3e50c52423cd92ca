"""Command line: each command wraps one library call and turns library errors into one-line
messages. Exit codes: 0 success, 1 a library error (missing index, unreadable corpus, ...),
2 a usage error (bad option, empty question, unknown filter value).

Results go to stdout; progress, notices and errors to stderr.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

from .config import Settings
from .errors import AssistantError, CitationError, QueryError
from .models import MODES, PassageId
from .text import json_text, safe_line, safe_path

if TYPE_CHECKING:
    from .pipeline import Pipeline, Staleness

log = logging.getLogger("assistant")


class _Context:
    def __init__(self, settings: Settings):
        self.settings = settings


def text_width() -> int:
    """The width answers are wrapped to: the terminal's, at most 100 columns (100 when the output
    is not a terminal, e.g. piped to a file)."""
    import shutil

    return max(40, min(100, shutil.get_terminal_size((101, 24)).columns - 1))


def _settings(ctx: click.Context) -> Settings:
    context = ctx.find_object(_Context)
    return context.settings if context is not None else Settings()


class _UsageError(click.ClickException):
    """A usage error in one line (exit 2), for errors found after the options were parsed: click's
    own UsageError adds the usage synopsis, which says nothing about a wrong filter value."""

    exit_code = 2


def _fail(error: AssistantError) -> None:
    message = safe_line(str(error))  # errors quote file names, catalogue values and questions
    if isinstance(error, (QueryError, CitationError)):
        # What the user typed: a question, a filter value, a passage id (exit 2, as for `cite abc`).
        raise _UsageError(message)
    raise click.ClickException(message)


def _index_option(function):
    return click.option(
        "--index", "index_dir", type=click.Path(path_type=Path), default=None, help="Index folder (default: index/)."
    )(function)


def _corpus_option(function):
    return click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Corpus folder (default: the one the index was built from; corpus/ for a new index).",
    )(function)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """Guidance Lookup: find the exact passages of trusted anti-trafficking guidance that answer a
    question, with citations. Offline; retrieval only (it never writes text of its own).

    Example:

        python -m assistant index build && python -m assistant ask "Why do victims decline help?"
    """
    logging.basicConfig(
        level=logging.WARNING - 10 * min(verbose, 2), format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    ctx.obj = _Context(_load_settings())


def _load_settings() -> Settings:
    """The settings from the environment; a value out of range is a one-line error naming it."""
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "ASSISTANT_" + "__".join(str(part).upper() for part in first["loc"])
        what = f"setting {name} is" if len(first["loc"]) > 1 else f"the {name}__ settings are"
        message = first["msg"].removeprefix("Value error, ")
        raise click.ClickException(f"{what} not valid: {message} (fix or unset the environment variable)") from None


# --- index ------------------------------------------------------------------------------------


@main.group()
def index() -> None:
    """Build, inspect and check the index.

    Example:

        python -m assistant index build --corpus corpus --index index
    """


class _TqdmProgress:
    """Progress bars on stderr, one per build stage."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def stage(self, name: str, total: int | None) -> None:
        self.close()
        if not self.enabled:
            return
        if total is None:
            click.echo(f"{name}…", err=True)
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=name, unit="", file=sys.stderr, leave=False, dynamic_ncols=True)

    def advance(self, amount: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(amount)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@main.group()
def catalogue() -> None:
    """The corpus catalogue: titles, organisations and years that win over what files say."""


@catalogue.command("init")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing catalogue.toml, or one in place of a catalogue.csv.")
@click.pass_context
def catalogue_init(ctx: click.Context, folder: Path, force: bool) -> None:
    """Write FOLDER/catalogue.toml with what each file states about itself (title, organisation,
    year), ready for you to check and correct. An existing catalogue is kept unless --force.

    Example:

        python -m assistant catalogue init ~/Documents/guidance
    """
    from .ingest import infer_catalogue
    from .ingest.catalogue import catalogue_path, load_catalogue, render_catalogue

    settings = _settings(ctx)
    target = folder / settings.ingest.catalogue_name
    in_use = catalogue_path(folder, settings.ingest.catalogue_name)
    if in_use.exists() and not force:
        # A catalogue.csv is the catalogue until a catalogue.toml is written beside it: the new
        # file would silently replace the spreadsheet's titles.
        _fail(f"{in_use} exists and is the catalogue: edit it, or give --force to write {target.name} in its place")
    try:
        entries = infer_catalogue(folder, settings.ingest.catalogue_name, int(settings.ingest.max_file_mb * 1e6))
        text = render_catalogue(entries)
        temporary = target.with_suffix(".tmp")
        temporary.write_text(text, encoding="utf-8")
        load_catalogue(temporary)  # what is written must read back
        temporary.replace(target)
    except OSError as error:
        _fail(f"cannot write {target}: {error.strerror}")
    except AssistantError as error:
        _fail(error)
    organisations = sum(1 for entry, _ in entries if entry.organisation)
    click.echo(
        f"wrote {target}: {len(entries)} files, {organisations} with an organisation; check each entry before relying "
        "on it"
    )


@index.command("build")
@_corpus_option
@_index_option
@click.option("--full", is_flag=True, help="Rebuild from scratch instead of only what changed.")
@click.option(
    "--replace-corpus",
    is_flag=True,
    help="Build an existing index from another corpus than it was built from (replaces its documents).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.pass_context
def index_build(
    ctx: click.Context,
    corpus_dir: Path | None,
    index_dir: Path | None,
    full: bool,
    quiet: bool,
    replace_corpus: bool = False,
) -> None:
    """Index the corpus: only added or changed files are read and embedded. Prints what was
    indexed, skipped (with reasons) and empty, then a summary line.

    Example:

        python -m assistant index build --corpus corpus --index index
    """
    from .pipeline import Pipeline

    settings = _settings(ctx)
    pipeline = Pipeline(settings, index_dir=index_dir, corpus_dir=corpus_dir)
    progress = _TqdmProgress(enabled=settings.show_progress and not quiet)
    try:
        report = pipeline.build(full=full, progress=progress, replace_corpus=replace_corpus)
    except AssistantError as error:
        progress.close()
        _fail(error)
        return
    except KeyboardInterrupt:
        # A generation is published whole or not at all: the index stays as it was.
        from .index.layout import IndexLayout

        progress.close()
        where = safe_path(str(pipeline.index_dir))
        click.echo(
            f"stopped: nothing was changed, {where} answers as before the build; run the build again to index what "
            "changed"
            if IndexLayout(pipeline.index_dir).generations()
            # A first build stopped leaves no index to answer (a first-use audit was told it did).
            else f"stopped: no index was made in {where}; run the build again to index the folder",
            err=True,
        )
        sys.exit(130)
    progress.close()
    _print_build_report(report)


def _print_build_report(report, summary_to_stderr: bool = False) -> None:
    """Skips, warnings and reasons on stderr; the summary line on stdout (or stderr, where stdout
    carries something else, as in `eval --json`)."""
    if report.full_reason and report.full_reason != "--full was given":
        click.echo(f"full rebuild: {safe_line(report.full_reason)}", err=True)
    if report.reread_reason:
        click.echo(
            f"reading every file again: {safe_line(report.reread_reason)} (embeddings of unchanged text are reused)",
            err=True,
        )
    if report.catalogue_changed:
        names = ", ".join(safe_line(p) for p in report.catalogue_changed[:5]) + (
            " ..." if len(report.catalogue_changed) > 5 else ""
        )
        click.echo(
            f"catalogue entries changed for {len(report.catalogue_changed)} files ({names}): read again; passages are "
            "embedded "
            "again only where the text the model sees changed (the title is part of it), and keep their ids",
            err=summary_to_stderr,
        )
    lines: list[tuple[str, str | None, str]] = []
    for file in report.files:
        if file.status != "indexed":
            lines.append((file.status, file.path, file.reason or ""))
        lines.extend(("warning", file.path, warning) for warning in file.warnings)
    lines.extend(("warning", None, warning) for warning in report.warnings)
    for line in summarise_repeats(lines):
        click.echo(line, err=True)
    if report.up_to_date:
        click.echo(
            f"index is up to date: {report.unchanged} files unchanged; {report.documents} documents, {report.chunks} "
            f"chunks ({report.seconds:.1f} s)",
            err=summary_to_stderr,
        )
        return
    indexed = sum(1 for f in report.files if f.status == "indexed")
    skipped = sum(1 for f in report.files if f.status == "skipped")
    empty = sum(1 for f in report.files if f.status == "empty")
    change = f"{len(report.added)} added, {len(report.changed)} changed, {len(report.removed)} removed, {report.unchanged} unchanged"
    # Counts of the files this build read, said so: "indexed 0 files (...; 2 added, ... 10
    # unchanged)" read as a contradiction to a first-use audit (the two added were skipped).
    click.echo(
        f"read {_files(len(report.files))}: {indexed} indexed, {skipped} skipped, {empty} empty ({change}): "
        f"{report.documents} documents, {report.chunks} chunks; {report.chunks_embedded} chunks and "
        f"{report.sentences_embedded} of their sentences embedded in "
        f"{report.embed_seconds:.1f} s; build took {report.seconds:.1f} s"
        + (f", peak memory {report.peak_memory_mb:,.0f} MB" if report.peak_memory_mb else ""),
        err=summary_to_stderr,
    )
    reasons = Counter(_skip_kind(f.reason or "") for f in report.files if f.status in ("skipped", "empty"))
    if reasons:
        click.echo(
            "not indexed, by reason: "
            + "; ".join(
                f"{count} {safe_line(kind)}" for kind, count in sorted(reasons.items(), key=lambda kc: (-kc[1], kc[0]))
            ),
            err=summary_to_stderr,
        )
    earlier = report.left_out - skipped - empty
    if earlier > 0:
        # The counts above are of the files this build read: a rebuild that read only a changed
        # file said "0 skipped, 0 empty" of a folder still holding a damaged PDF (first-use audit).
        click.echo(
            f"still not indexed: {_files(earlier)} unchanged since an earlier build skipped them "
            "(`index status` lists each with its reason)",
            err=summary_to_stderr,
        )


def _files(count: int) -> str:
    return f"{count} file" + ("" if count == 1 else "s")


REPEATS_SHOWN = 5
"""Lines of one kind printed before the rest are counted (a catalogue of 100,000 stale entries
gives one warning each)."""


def summarise_repeats(lines: list[tuple[str, str | None, str]], shown: int = REPEATS_SHOWN) -> list[str]:
    """(kind, file or None, message) as printable lines, in order, with at most ``shown`` of each
    kind of message (the same words once quoted values and numbers are set aside), then one
    line counting the rest of each kind."""
    counts: dict[str, int] = {}
    kept = []
    for kind, path, message in lines:
        shape = f"{kind}: " + re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", safe_line(message))
        counts[shape] = counts.get(shape, 0) + 1
        if counts[shape] <= shown:
            kept.append(f"{kind}: " + (f"{safe_path(path)}: " if path is not None else "") + safe_line(message))
    kept.extend(f"… and {count - shown:,} more {shape}" for shape, count in counts.items() if count > shown)
    return kept


def _skip_kind(reason: str) -> str:
    """The kind of a skip reason, without the file it names: 'same content as documents/x.pdf
    (indexed once, ...)' -> 'same content as another file'."""
    if reason.startswith("same content as"):
        return "same content as another file"
    return reason.split(":")[0].split(" (")[0].strip() or "no reason"


@index.command("status")
@_index_option
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON object.")
@click.option("--documents", is_flag=True, help="Also list every indexed document.")
@click.pass_context
def index_status(
    ctx: click.Context, index_dir: Path | None, corpus_dir: Path | None, as_json: bool, documents: bool
) -> None:
    """What is indexed, when, with which model; skipped files with reasons; whether the corpus
    changed since the build.

    Example:

        python -m assistant index status --index index
    """
    from .pipeline import Pipeline
    from .present import status_lines

    pipeline = Pipeline(_settings(ctx), index_dir=index_dir, corpus_dir=corpus_dir)
    try:
        status = pipeline.status()
        infos = pipeline.open().store.document_infos() if documents and status.problem is None else []
    except AssistantError as error:
        _fail(error)
        return
    if as_json:
        payload = status.model_dump(mode="json")
        if documents:
            payload["documents_list"] = [d.model_dump() for d in infos]
        click.echo(json_text(payload))
        if status.problem is not None:
            raise SystemExit(1)
        return
    lines = status_lines(
        status,
        path=lambda folder: safe_line(str(folder)),
        when=lambda moment: f"{moment:%Y-%m-%d %H:%M:%S %Z}",
        took=lambda seconds: f"{seconds:.1f} s",
        generation=True,
    )
    for line, _ in lines[:-1]:
        click.echo(line)
    if status.staleness is not None and status.staleness.stale:
        click.echo(pipeline.advice())
    if infos:
        click.echo("Documents:")
    for info in infos:
        extra = ", ".join(str(p) for p in (info.organisation, info.year, info.region) if p)
        # The id as --document takes it: a control character of a file name written as its escape.
        click.echo(f"  [{safe_path(info.id)}] {safe_line(info.title)}" + (f" ({safe_line(extra)})" if extra else ""))
    if status.problem is not None:
        raise SystemExit(1)  # what was built is shown, but this index cannot answer


@index.command("verify")
@_index_option
@click.pass_context
def index_verify(ctx: click.Context, index_dir: Path | None) -> None:
    """Check manifest, SQLite and FAISS against each other (counts, ids, checksums, model
    fingerprint, schema version). Exit 1 and a fix for each problem found.

    Example:

        python -m assistant index verify --index index
    """
    from .pipeline import Pipeline

    pipeline = Pipeline(_settings(ctx), index_dir=index_dir)
    try:
        problems = pipeline.verify()
    except AssistantError as error:
        _fail(error)
        return
    if not problems:
        click.echo(f"index {pipeline.index_dir} is consistent: manifest, database and vectors agree")
        return
    for problem in problems:
        click.echo(f"problem: {safe_line(problem.what)}\n  fix: {problem.fix}", err=True)
    raise SystemExit(1)


@index.command("watch")
@_corpus_option
@_index_option
@click.option("--debounce", type=float, default=1.5, show_default=True, help="Seconds of quiet before rebuilding.")
@click.pass_context
def index_watch(ctx: click.Context, corpus_dir: Path | None, index_dir: Path | None, debounce: float) -> None:
    """Rebuild the index whenever files in the corpus change (Ctrl+C to stop).

    Example:

        python -m assistant index watch --corpus corpus
    """
    from watchfiles import watch

    from .pipeline import Pipeline

    settings = _settings(ctx)
    pipeline = Pipeline(settings, index_dir=index_dir, corpus_dir=corpus_dir)
    try:
        ctx.invoke(index_build, corpus_dir=corpus_dir, index_dir=index_dir, full=False, quiet=True)
    except click.ClickException as error:  # a bad file or catalogue is fixed while watching
        click.echo(f"error: {safe_line(error.message)}", err=True)
    click.echo(f"watching {pipeline.corpus_dir} for changes (Ctrl+C to stop)", err=True)
    try:
        # Ctrl+C is caught here, not by watchfiles, which logs it as a warning of its own
        # ("WARNING watchfiles.main: KeyboardInterrupt caught": a first-use audit).
        for changes in watch(pipeline.corpus_dir, debounce=int(debounce * 1000), raise_interrupt=True):
            click.echo(f"{len(changes)} change(s) seen; rebuilding", err=True)
            try:
                ctx.invoke(index_build, corpus_dir=corpus_dir, index_dir=index_dir, full=False, quiet=True)
            except click.ClickException as error:
                click.echo(f"error: {safe_line(error.message)}", err=True)
    except KeyboardInterrupt:
        click.echo("stopped watching", err=True)


# --- ask --------------------------------------------------------------------------------------


@main.command()
@click.argument("question", required=False)
@_index_option
@click.option("-k", "k", type=click.IntRange(1, 100), default=None, help="Passages per question (default 5).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question, one per line (JSON Lines).")
@click.option(
    "--batch",
    type=click.File("rb"),
    default=None,
    help="Answer every non-blank line of FILE, in order, in one process.",
)
@click.option("--mode", type=click.Choice(MODES), default=None, help="Retrieval mode (default hybrid).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="Output format (--json is --format json).",
)
@click.option("--region", multiple=True, help="Only documents tagged with this region (repeatable).")
@click.option("--type", "resource_type", multiple=True, help="Only this resource type, e.g. Guidance (repeatable).")
@click.option("--organisation", multiple=True, help="Only documents from this organisation (repeatable).")
@click.option(
    "--year-from",
    type=int,
    default=None,
    help="Only documents from this year on (a document with no year is left out).",
)
@click.option(
    "--year-to", type=int, default=None, help="Only documents up to this year (a document with no year is left out)."
)
@click.option("--document", multiple=True, help="Only this document id or source path (repeatable).")
@click.option("--per-document", type=click.IntRange(1, 100), default=None, help="At most N passages per document.")
@click.option("--as-typed", is_flag=True, help="Search the words as typed: no misspelt word is corrected.")
@click.option(
    "--context",
    "earlier",
    multiple=True,
    help="An earlier question of the conversation, oldest first (repeatable): a follow-up carries its words.",
)
@click.pass_context
def ask(
    ctx: click.Context,
    question: str | None,
    index_dir: Path | None,
    k: int | None,
    as_json: bool,
    batch,
    mode: str | None,
    output_format: str,
    region,
    resource_type,
    organisation,
    year_from,
    year_to,
    document,
    per_document,
    as_typed: bool = False,
    earlier: tuple[str, ...] = (),
) -> None:
    """Find the passages that answer QUESTION (or each line of --batch FILE). When nothing in the
    corpus answers, says so instead of showing passages.

    Example:

    \b
        python -m assistant ask "Why do Indonesian trafficking victims often go unidentified?"
        python -m assistant ask --json --batch questions.txt -k 3
        python -m assistant ask --context "Why do victims not self-identify?" "and for children?"
    """
    from .conversation import Thread
    from .models import Filters
    from .pipeline import Pipeline
    from .present import answer_json, refused_json, render_answer_markdown, render_answer_text, render_refused_markdown

    if question is None and batch is None:
        raise click.UsageError("give a QUESTION or --batch FILE")
    if question is not None and batch is not None:
        raise click.UsageError("give either a QUESTION or --batch FILE, not both")
    if any(not q.strip() for q in earlier):
        raise click.UsageError("--context is empty: give an earlier question of the conversation, or leave it out")
    if as_json and output_format == "markdown":
        raise click.UsageError("--json and --format markdown ask for two formats: give one")
    if as_json:
        output_format = "json"
    settings = _settings(ctx)
    if per_document is not None:
        settings.retrieve.per_document_cap = per_document
    filters = Filters(
        regions=list(region),
        resource_types=list(resource_type),
        organisations=list(organisation),
        documents=list(document),
        year_from=year_from,
        year_to=year_to,
    )
    pipeline = Pipeline(settings, index_dir=index_dir)
    questions = [_valid_text(question)] if question is not None else _batch_questions(batch)
    try:
        pipeline.open()
    except AssistantError as error:
        _fail(error)
        return
    staleness = _say_if_out_of_date(pipeline)
    for text in questions:
        try:
            # The earlier questions are asked first, as in a conversation: what the follow-up
            # carries and the documents it favours come from their answers, shown as a
            # conversation shows them (-k is this question's; with it, the same follow-up had
            # another first card at -k 1 than at -k 3: first-use audit).
            thread = Thread()
            for earlier_question in earlier:
                thread.turns.append(thread.ask(pipeline, _valid_text(earlier_question), mode=mode, filters=filters))
            answer = thread.ask(pipeline, text, k=k, mode=mode, filters=filters, as_typed=as_typed).answer
        except QueryError as error:
            if batch is None:
                _fail(error)
            if output_format == "json":
                click.echo(refused_json(text, str(error)).to_json())
            elif output_format == "markdown":
                click.echo(render_refused_markdown(text, str(error)))
            else:
                click.echo(f"Question: {safe_line(text)}\nerror: {safe_line(str(error))}\n")
            continue
        except AssistantError as error:
            _fail(error)
            return
        answer.notices.extend(staleness.about(answer.cards()))
        if output_format == "json":
            click.echo(answer_json(answer).to_json())
        elif output_format == "markdown":
            click.echo(render_answer_markdown(answer))
        else:
            click.echo(render_answer_text(answer, width=text_width(), wrap_citations=sys.stdout.isatty()))
            if len(questions) > 1:
                click.echo("")
        for notice in answer.notices if output_format == "json" else []:
            click.echo(f"note: {safe_line(notice)}", err=True)


def _say_if_out_of_date(pipeline: Pipeline) -> Staleness:
    """Says on stderr, once, when files changed since the index was built (an answer then says
    which of its passages come from them); the staleness found, empty if it cannot be told."""
    from .pipeline import Staleness

    staleness = _staleness(pipeline, Staleness())  # a corpus folder that vanished must not stop searching
    if staleness.added or staleness.changed or staleness.removed:
        click.echo(
            f"note: the index is out of date ({staleness.brief()} since it was built): {pipeline.advice()}", err=True
        )
    return staleness


def _staleness(pipeline: Pipeline, known: Staleness) -> Staleness:
    """The files changed since the index was built, looked at again (a few milliseconds for a
    library of 155 files); ``known`` when they cannot be looked at."""
    try:
        return pipeline.staleness()
    except AssistantError:
        return known


def _switch_to_a_newer_index(pipeline: Pipeline, thread, staleness: Staleness) -> Staleness:
    """Open the newest index when one was built since chat opened its own, and say so, with the
    passages kept whose quotation the newest index no longer holds where it was (their file
    changed or went). The staleness of the index now open."""
    if not pipeline.newer_index_available():
        return staleness
    try:
        pipeline.reload()
        store = pipeline.open().store
    except AssistantError as error:
        click.echo(f"note: a newer index could not be opened ({safe_line(str(error))}); still using the one open")
        return staleness
    from .conversation import out_of_date_test

    click.echo("note: the index was rebuilt; this question and the next are searched in the newest one.")
    moved = out_of_date_test(store.document_slice, set())
    kept = [hit for turn in thread.turns for hit in turn.kept_hits() if moved(hit)]
    if kept:
        files = ", ".join(dict.fromkeys(safe_path(hit.document.path) for hit in kept))
        click.echo(
            f"note: {len(kept)} kept passage{'s come' if len(kept) != 1 else ' comes'} from files changed or removed "
            f"since ({files}): check {'their quotations' if len(kept) != 1 else 'its quotation'} before you cite "
            f"{'them' if len(kept) != 1 else 'it'}."
        )
    return _staleness(pipeline, staleness)


def _valid_text(text: str) -> str:
    """A question as typed: bytes the terminal could not decode become U+FFFD instead of lone
    surrogates that no output could encode."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _batch_questions(batch) -> list[str]:
    questions = []
    for number, raw in enumerate(batch, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            raise _UsageError(
                f"line {number} of {safe_line(batch.name)} is not UTF-8 text (byte 0x{raw[error.start]:02x}): save the "
                "file as UTF-8"
            ) from None
        line = line.rstrip("\r\n")
        if line.strip():
            questions.append(line)
    if not questions:
        raise _UsageError(f"{safe_line(batch.name)} holds no question: write one question per line")
    return questions


# --- chat -------------------------------------------------------------------------------------

CHAT_HELP = """Type a question and press Enter. A short or elliptical follow-up ("and for children?")
is searched with words of your earlier questions, and the answer says which.
  /alone       search your last question on its own
  /as-typed    your last question again, words as typed (no spelling correction)
  /new         the next question starts a new topic
  /keep N ...  keep passages of the last answer for the case note (/keep 1 3)
  /drop N      leave question N (as /history numbers it) out of the case note; again: put it back
  /history     the questions so far, how each was searched, and the passages kept
  /note FILE   write the case note of the whole conversation (.md; .bib or .json: its references)
  /note topic FILE
               the same, of the current topic only (since the last /new): one case's note
  /help        this help
  /quit        end (or Ctrl+D)"""


@main.command()
@_index_option
@click.option("-k", "k", type=click.IntRange(1, 20), default=None, help="Passages per question (default 5).")
@click.pass_context
def chat(ctx: click.Context, index_dir: Path | None, k: int | None) -> None:
    """A conversation in plain text, line by line (for a terminal without a full-screen UI, a
    screen reader, or ssh): questions and follow-ups, each answered with quoted passages and
    their citations. Questions stay in memory; with ASSISTANT_TUI__KEEP_HISTORY=true the line
    history is kept in chat-history beside the index, readable by you alone.

    Example:

        python -m assistant chat --index index
    """
    from .conversation import Thread, case_note, case_note_references, out_of_date_test
    from .files import write_private
    from .pipeline import Pipeline
    from .present import render_answer_text, sentence_end

    settings = _settings(ctx)
    pipeline = Pipeline(settings, index_dir=index_dir)
    try:
        pipeline.open()
    except AssistantError as error:
        _fail(error)
        return
    staleness = _say_if_out_of_date(pipeline)
    history = _chat_history(pipeline.index_dir if settings.tui.keep_history else None)
    thread, new_topic = Thread(), False
    noted: set[tuple[int, int]] = set()  # (turn, passage) written to a Markdown case note
    warned = False  # whether /quit or Ctrl+D has said that kept passages are in no case note

    def unwritten() -> int:
        """Kept passages in no Markdown case note yet (of questions not left out of it)."""
        return sum(
            (number, hit.rank) not in noted
            for number, turn in enumerate(thread.turns, start=1)
            if not turn.left_out
            for hit in turn.kept_hits()
        )

    click.echo(CHAT_HELP + "\n")

    def answer(question: str, alone: bool = False, as_typed: bool = False, again: bool = False) -> None:
        """Ask ``question`` in the thread; ``again``: the last question once more, in the thread
        as it stood before it. The files are looked at again for each answer, and a newer index
        is switched to: a first-use audit's chat went on quoting a file edited, and citing one
        deleted, after the index was rebuilt, with no word of it."""
        nonlocal new_topic, staleness
        staleness = _switch_to_a_newer_index(pipeline, thread, staleness)
        asked_in, starts_topic = (
            (Thread(turns=thread.turns[:-1]), thread.turns[-1].new_topic) if again else (thread, new_topic)
        )
        try:
            turn = asked_in.ask(pipeline, question, alone=alone, new_topic=starts_topic, as_typed=as_typed, k=k)
        except AssistantError as error:
            click.echo(f"error: {safe_line(str(error))}")
            return
        except KeyboardInterrupt:
            # Ctrl+C stops a search, as it clears a line at the prompt: the conversation and the
            # passages kept stay (a first-use audit lost kept passages to "Aborted!").
            click.echo("\nStopped: that question was not answered. Ask it again, or another.")
            return
        thread.turns.append(turn)
        new_topic = False
        reply, context = turn.answer, turn.context
        staleness = _staleness(pipeline, staleness)
        reply.notices.extend(staleness.about(reply.cards()))
        click.echo(render_answer_text(reply, width=text_width(), wrap_citations=sys.stdout.isatty()))
        if context.words:
            click.echo("(/alone searches your question on its own)")
        elif context.alone:
            click.echo("(asked on its own: no words of the earlier questions)")
        if reply.corrections:
            click.echo("(/as-typed searches the words as you typed them)")
        click.echo("")

    while True:
        try:
            line = _valid_text(input("question> " if sys.stdin.isatty() else ""))
        except EOFError:
            click.echo("")
            unsaved = unwritten()
            if unsaved and not warned and sys.stdin.isatty():
                # Ctrl+D at a terminal is a way to leave, like /quit: warned once, not lost.
                warned = True
                click.echo(unwritten_warning(unsaved, "Ctrl+D"))
                continue
            if unsaved:
                click.echo(f"{unsaved} kept passage{'s' if unsaved != 1 else ''} left unwritten (no /note since).")
            break
        except KeyboardInterrupt:
            click.echo("")
            continue
        line = line.strip()
        if not line:
            continue
        history.add(line)
        command, _, rest = line.partition(" ")
        last = thread.turns[-1] if thread.turns else None
        if command in ("/quit", "/exit"):
            if unwritten() and not warned:
                warned = True
                click.echo(unwritten_warning(unwritten(), "/quit"))
                continue
            break
        if command == "/help":
            click.echo(CHAT_HELP)
        elif command == "/history":
            click.echo(thread_history(thread) or "No question yet.")
        elif command == "/new":
            new_topic = True
            click.echo("The next question starts a new topic (/note topic FILE writes a case note of it alone).")
        elif command in ("/alone", "/as-typed"):
            if last is None:
                click.echo("Ask a question first.")
            else:
                # /as-typed keeps what the question carried (nothing, after /alone); /alone drops it.
                alone = command == "/alone" or last.context.alone
                answer(last.question, alone=alone, as_typed=command == "/as-typed", again=True)
        elif command == "/keep":
            numbers = rest.replace(",", " ").split()
            if last is None:
                click.echo("Ask a question first: /keep N keeps passage N of the answer.")
            elif not numbers or not all(n.isdigit() for n in numbers):
                click.echo("Give the numbers of passages of the last answer (e.g. /keep 1, or /keep 1 3).")
            else:
                for number in dict.fromkeys(int(n) for n in numbers):
                    message = last.cannot_keep(number)
                    if message is None:
                        last.keep(number)
                        warned = False
                        # Which passage, in words: a screen reader's user hears no card above.
                        kept = next(hit for hit in last.cards() if hit.rank == number)
                        # One full stop, none after "…" (read badly aloud: a first-use audit).
                        message = f"Kept passage {number} for the case note: {sentence_end(kept_label(kept))}"
                    click.echo(at_terminal_width(message))
        elif command == "/drop":
            number = rest.strip()
            if not number.isdigit() or not 1 <= int(number) <= len(thread.turns):
                click.echo(f"Give the number of a question, as /history shows it (1 to {len(thread.turns)}).")
            else:
                turn = thread.turns[int(number) - 1]
                turn.left_out = not turn.left_out
                with_kept = (
                    f" with its {len(turn.kept)} kept passage{'s' if len(turn.kept) != 1 else ''}" if turn.kept else ""
                )
                click.echo(
                    at_terminal_width(
                        f"Question {number}{with_kept} is left out of the case note (/drop {number} again puts it back)."
                        if turn.left_out
                        else f"Question {number} is in the case note again."
                    )
                )
        elif command == "/note":
            # "/note topic FILE": one case's note, when /new started another case in the same chat
            # (a first-use audit's note for a woman in a nail bar held two other victims' cases).
            first, _, after = rest.strip().partition(" ")
            only_topic = first == "topic"
            turns = thread.topic_numbers() if only_topic else None
            target = Path((after if only_topic else rest).strip() or "case-note.md").expanduser()
            style = {".bib": "bibtex", ".json": "csl-json"}.get(target.suffix.lower(), "markdown")
            if target.exists():
                click.echo(f"{safe_line(str(target))} exists: give another file name.")
                continue
            if not target.parent.is_dir():
                # Never a folder made unasked ("/note /nonexistent/x.md" made /nonexistent).
                click.echo(f"error: there is no folder {safe_line(str(target.parent))}: give a file in an existing one")
                continue
            try:
                # A passage kept before its file changed, or before a rebuild moved it, is marked.
                staleness = _staleness(pipeline, staleness)
                out_of_date = out_of_date_test(pipeline.open().store.document_slice, staleness.changed_or_removed)
                write_private(
                    target,
                    case_note(thread, turns, out_of_date=out_of_date)
                    if style == "markdown"
                    else case_note_references(thread, style, turns),
                )
            except OSError as error:
                click.echo(f"error: could not write {safe_line(str(target))} ({error.strerror})")
                continue
            # The full path: "/note" alone writes case-note.md in whatever folder chat started in.
            written = "Case note (Markdown)" if style == "markdown" else f"References of the kept passages ({style})"
            click.echo(f"{written} written to {safe_line(str(target.resolve()))}.")
            chosen = [n for n in turns or range(1, len(thread.turns) + 1) if not thread.turns[n - 1].left_out]
            if not any(thread.turns[n - 1].kept for n in chosen):
                click.echo("It holds no passage: /keep N keeps passage N of the last answer for the case note.")
            if not only_topic and thread.topic_count() > 1:
                click.echo(
                    f"It holds all {thread.topic_count()} topics of this conversation: /note topic FILE writes only "
                    "the current one (since the last /new)."
                )
            if style == "markdown":
                noted.update((n, hit.rank) for n in chosen for hit in thread.turns[n - 1].kept_hits())
            else:
                click.echo("The passages themselves are in the Markdown case note: /note FILE.md writes it.")
        elif command.startswith("/"):
            click.echo(f"unknown command {safe_line(command)}: /help lists them")
        else:
            answer(line)
    history.save()


def at_terminal_width(message: str) -> str:
    """A message wrapped at words to the terminal's width when the output is one (a first-use
    audit's terminal cut "Modern Sla|very"); as it is when piped."""
    from .present import wrapped_at_words

    return "\n".join(wrapped_at_words(message, text_width(), "  ")) if sys.stdout.isatty() else message


def kept_label(hit) -> str:
    """A kept passage named as its citation's short form says it (title, section, pages),
    shortened to a line."""
    from .present import citation_line

    line = citation_line(hit.citation)
    return line if len(line) <= KEPT_LABEL else line[: KEPT_LABEL - 1].rstrip() + "…"


KEPT_LABEL = 100
"""Characters at most of a kept passage's name in chat's reply to /keep."""


def thread_history(thread) -> str:
    """Chat's /history: each question as typed, the words it carried or that it was asked on its
    own, whether it was answered, and the passages kept of it; empty before the first."""
    lines = []
    for number, turn in enumerate(thread.turns, start=1):
        how = (
            f"searched with: {', '.join(turn.context.words)}"
            if turn.context.words
            else ("asked on its own" if turn.context.alone else "")
        )
        found = "no passage found" if turn.answer.abstained else f"{len(turn.cards())} passages"
        left_out = "left out of the case note" if turn.left_out else ""
        lines.append(f"{number}. {safe_line(turn.question)}  ({'; '.join(p for p in (how, found, left_out) if p)})")
        lines.extend(f"   kept {hit.rank}: {kept_label(hit)}" for hit in turn.kept_hits())
    return "\n".join(lines)


def unwritten_warning(unsaved: int, leave: str) -> str:
    """What chat says when the user leaves (``leave``: the key or command) with kept passages
    in no case note."""
    return (
        f"{unsaved} kept passage{'s are' if unsaved != 1 else ' is'} in no case note yet: /note FILE writes them; "
        f"{leave} again leaves without."
    )


class _chat_history:
    """readline's line history, kept in a file beside the index only when history is on."""

    def __init__(self, folder: Path | None):
        self.path = folder / "chat-history" if folder is not None else None
        try:
            import readline
        except ImportError:  # pragma: no cover - readline is part of CPython on Linux and macOS
            self.readline = None
            return
        self.readline = readline
        if self.path is not None and self.path.is_file():
            try:
                readline.read_history_file(self.path)
            except OSError:
                pass

    def add(self, line: str) -> None:
        pass  # input() adds each line to readline's history itself

    def save(self) -> None:
        if self.readline is None or self.path is None:
            return
        try:
            descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.close(descriptor)
            self.readline.write_history_file(self.path)
            os.chmod(self.path, 0o600)
        except OSError:
            pass


# --- cite, clean ------------------------------------------------------------------------------


class _PassageId(click.ParamType):
    """A passage's id as `ask` shows it ("chunk 42", or "chunk 42@1200-1850" for a card that
    runs beyond its stored passage)."""

    name = "passage id"

    def convert(self, value, param, ctx):
        found = PassageId.parse(str(value))
        if found is not None:
            return found
        self.fail(
            f'{safe_line(str(value).strip())!r} is not a passage id: give what ask shows after "chunk" '
            "(e.g. cite 42, or cite 42@1200-1850)",
            param,
            ctx,
        )


@main.command()
@click.argument("chunk_ids", metavar="CHUNK_ID...", type=_PassageId(), nargs=-1, required=True)
@_index_option
@click.option(
    "--format",
    "style",
    type=click.Choice(["text", "markdown", "bibtex", "csl-json"]),
    default="text",
    show_default=True,
)
@click.pass_context
def cite(ctx: click.Context, chunk_ids: tuple[PassageId, ...], index_dir: Path | None, style: str) -> None:
    """Print the citation of one or more passages: CHUNK_ID is `passage_id` in `ask --json`,
    what follows "chunk" in the text of `ask`, and "passage id" in the terminal UI's document
    reader (Enter on a card). A card that runs onto pages its stored passage does not cover has
    an id such as 42@1200-1850, whose citation gives the card's own pages.

    Example:

    \b
        python -m assistant cite 42 --format bibtex
        python -m assistant cite 42 57 80 --format csl-json
    """
    from .pipeline import Pipeline

    try:
        pipeline = Pipeline(_settings(ctx), index_dir=index_dir)
        citations = pipeline.cite(list(chunk_ids), style)
    except AssistantError as error:
        _fail(error)
        return
    _say_if_out_of_date(pipeline)  # a first-use audit cited passages of a deleted file unwarned
    click.echo(citations)


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_corpus_option
@click.option("--kept", is_flag=True, help="Also print the cleaned text of each document.")
@click.pass_context
def clean(ctx: click.Context, file: Path, corpus_dir: Path | None, kept: bool) -> None:
    """Show what cleaning removes from FILE and why, and the documents it becomes, so that you
    can check that no real content is dropped.

    Example:

        python -m assistant clean corpus/000_017820f5e2618961.txt
    """
    from .explain import clean_report

    settings = _settings(ctx)
    try:
        click.echo(clean_report(file, corpus_dir or settings.paths.corpus_dir, settings, show_text=kept))
    except AssistantError as error:
        _fail(error)


# --- tui, doctor ------------------------------------------------------------------------------


@main.command()
@_index_option
@_corpus_option
@click.pass_context
def tui(ctx: click.Context, index_dir: Path | None, corpus_dir: Path | None) -> None:
    """Open the terminal interface.

    Example:

        python -m assistant tui --index index
    """
    from .tui.app import run_app

    settings = _settings(ctx)
    run_app(settings, index_dir=index_dir or settings.paths.index_dir, corpus_dir=corpus_dir)


def tui_script(argv: list[str]) -> None:
    """``tui.py``: the ``tui`` command under the script's own name (its help says ``tui.py``),
    with the same one-line errors as ``python -m assistant``."""

    def start(index_dir: Path | None, corpus_dir: Path | None) -> None:
        from .tui.app import run_app

        settings = _load_settings()
        run_app(settings, index_dir=index_dir or settings.paths.index_dir, corpus_dir=corpus_dir)

    command = click.Command(
        "tui.py",
        params=tui.params,
        callback=start,
        help=tui.help,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    try:
        command.main(argv, prog_name="tui.py", standalone_mode=False)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        sys.exit(1)
    except Exception as error:
        click.echo(f"Error: unexpected {type(error).__name__}: {safe_line(str(error))[:300]}", err=True)
        sys.exit(1)


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the installation: the packaged model loads offline and embeds; both query
    encoders agree; and say whether OCR (Tesseract) is there for scanned PDFs.

    Example:

        python -m assistant doctor
    """
    import numpy as np

    from .embed import NumpyEmbedder, SentenceTransformerEmbedder, model_info, resolve_model_dir

    try:
        model_dir = resolve_model_dir(_settings(ctx).embed.model_dir)
        info = model_info(model_dir)
        started = time.perf_counter()
        reference = SentenceTransformerEmbedder(model_dir).embed_queries(["victim identification"])[0]
        fast = NumpyEmbedder(model_dir).embed_queries(["victim identification"])[0]
    except AssistantError as error:
        _fail(error)
        return
    cosine = float(np.dot(reference, fast))
    click.echo(f"model {info.name} ({info.dimension} dims, fingerprint {info.fingerprint[:12]}) at {model_dir}")
    click.echo(
        f"loaded offline and embedded in {time.perf_counter() - started:.1f} s; NumPy query encoder agreement: cosine "
        f"{cosine:.6f}"
    )
    if cosine < 0.9999:
        raise click.ClickException("the NumPy query encoder disagrees with sentence-transformers")
    from .ingest import ocr

    program = ocr.tesseract()
    click.echo(
        f"OCR for scanned PDFs: {program}"
        if program
        else f"OCR for scanned PDFs: not installed (optional: {ocr.INSTALL_COMMAND})"
    )


def run() -> None:
    """The entry point: an error nobody foresaw is still one line (with -v, the traceback too)."""
    try:
        main(prog_name="python -m assistant", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as error:
        log.debug("unexpected error", exc_info=True)
        click.echo(
            f"Error: unexpected {type(error).__name__}: {safe_line(str(error))[:300]} (run with -v -v for details)",
            err=True,
        )
        sys.exit(1)


def _fit(
    settings: Settings,
    question_files,
    corpus_dir: Path | None,
    index_dir: Path | None,
    beir_dir: Path | None = None,
    split: str = "train",
) -> None:
    from .evaluate import fit_learned_models, load_question_set, question_set_corpus
    from .retrieve.ranker import LEARNED_FILE

    if not question_files:
        raise click.UsageError("--fit needs the dev question sets: --questions FILE (repeatable)")
    if beir_dir is not None and split == "test":
        raise click.UsageError("--fit never uses BEIR test judgments")
    sets = []
    for question_file in question_files:
        question_set = load_question_set(question_file)
        if question_set.frozen:
            raise click.UsageError(f"{question_file} is a frozen test set: it is reported once, never fitted on")
        sets.append((question_set, corpus_dir or question_set_corpus(question_set.corpus, question_file, settings)))
    ranker, abstention = fit_learned_models(
        settings,
        sets,
        index_dir,
        beir_dir,
        split,
        build=lambda pipeline: _print_build_report(
            pipeline.build(progress=_TqdmProgress(settings.show_progress)), summary_to_stderr=True
        ),
    )
    cv, acv = ranker.cross_validation, abstention.cross_validation
    click.echo(f"ranker fitted on {ranker.fitted_on}; abstention on {abstention.fitted_on}; written to {LEARNED_FILE}")
    click.echo(
        f"5-fold cross-validation by question, candidates' order: chain hit@1 {cv['chain_hit_at_1']:.3f} MRR@10 "
        f"{cv['chain_mrr_at_10']:.3f}"
        f" -> learned hit@1 {cv['learned_hit_at_1']:.3f} MRR@10 {cv['learned_mrr_at_10']:.3f}"
    )
    click.echo(
        f"abstention (threshold {abstention.threshold:.3f}), held out: answerable refused "
        f"{acv['answerable_refused']:.1%}, "
        f"off-topic abstained {acv['off_topic_abstained']:.1%}, near misses abstained "
        f"{acv['near_miss_abstained']:.1%}, "
        f"other domain's claims refused {acv['other_domain_refused']:.1%}"
    )


# --- eval ---------------------------------------------------------------------------------------


@main.command("eval")
@click.option(
    "--questions",
    "question_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A labelled question set (TOML); repeatable.",
)
@click.option(
    "--conversations",
    "conversation_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A labelled conversation set (TOML); repeatable.",
)
@_corpus_option
@_index_option
@click.option(
    "--beir",
    "beir_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv).",
)
@click.option("--split", default="train", show_default=True, help="BEIR judgments to use (never tune on test).")
@click.option("--max-queries", type=int, default=None, help="Evaluate only the first N BEIR queries.")
@click.option("--modes", default=",".join(MODES), show_default=True, help="Comma-separated retrieval modes to compare.")
@click.option(
    "--failures", is_flag=True, help="List the questions each mode got wrong (and the follow-ups not answered first)."
)
@click.option(
    "--strict", is_flag=True, help="Score the labels as first written (ignore passages accepted after review)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--ablation",
    is_flag=True,
    help="Also score the hybrid mode with each ranking and abstention stage turned off (one row per stage and set); "
    "for --conversations, each stage that runs only for follow-ups.",
)
@click.option(
    "--fit",
    is_flag=True,
    help="Fit the learned ranking model on these dev question sets (5-fold cross-validation by question) and write it "
    "to assistant/retrieve/learned.json.",
)
@click.option(
    "--check-labels",
    is_flag=True,
    help="Only check that every answer phrase is found in its document (asks no question: a frozen set can be checked "
    "without seeing results).",
)
@click.pass_context
def evaluate(
    ctx: click.Context,
    question_files,
    corpus_dir: Path | None,
    index_dir: Path | None,
    beir_dir: Path | None,
    split: str,
    max_queries: int | None,
    modes: str,
    failures: bool,
    strict: bool,
    as_json: bool,
    check_labels: bool,
    fit: bool,
    ablation: bool,
    conversation_files=(),
) -> None:
    """Measure retrieval: MRR@10, hit@1, hit@5 and abstention precision/recall on labelled
    questions, or nDCG@10 and recall@100 on a BEIR folder, for each mode side by side on the same
    index (built or brought up to date first, cached under .cache/eval/).

    Example:

        python -m assistant eval --questions eval/bundled.toml --corpus corpus
        python -m assistant eval --beir ../shared/beir/scifact --split train
    """
    from .evaluate import (
        ABLATIONS,
        CONVERSATION_ABLATIONS,
        cache_dir_for,
        evaluate_beir,
        evaluate_question_set,
        format_beir,
        format_conversation_ablation,
        format_judged,
        format_scores,
        format_side_by_side,
        load_beir_queries,
        load_question_set,
        materialise_beir_corpus,
        mcnemar,
        pipeline_for,
        question_set_corpus,
        resolve_expectations,
    )
    from .judgments import judgments_path, load_judgments

    settings = _settings(ctx)
    chosen = tuple(m.strip() for m in modes.split(",") if m.strip())
    if not set(chosen) <= set(MODES):
        raise click.UsageError(f"--modes takes {', '.join(MODES)}")
    if not question_files and beir_dir is None and not conversation_files:
        raise click.UsageError("give --questions FILE, --conversations FILE and/or --beir DIR")
    output: dict = {}
    summary: list = []
    ablated: list = []
    if fit:
        try:
            _fit(settings, question_files, corpus_dir, index_dir, beir_dir, split)
        except AssistantError as error:
            _fail(error)
        return
    try:
        for question_file in question_files:
            question_set = load_question_set(question_file)
            corpus = corpus_dir or question_set_corpus(question_set.corpus, question_file, settings)
            pipeline, index = pipeline_for(settings, corpus, index_dir, "questions")
            _print_build_report(pipeline.build(progress=_TqdmProgress(settings.show_progress)), summary_to_stderr=True)
            if check_labels:
                resolved = resolve_expectations(pipeline, question_set, strict)
                documents = {document for spans in resolved.values() for document, _ in spans}
                click.echo(
                    f"{question_file}: every answer phrase of {len(resolved)} questions found, in {len(documents)} "
                    "documents"
                )
                pipeline.close()
                continue
            try:
                resolve_expectations(pipeline, question_set, strict)
            except AssistantError as error:
                click.echo(
                    f"warning: {safe_line(str(error))} (those questions are counted as 'answer not in the extracted "
                    "text')",
                    err=True,
                )
            judgments = None
            if judgments_path(question_file).is_file():
                store = pipeline.open().store
                judgments, moved = load_judgments(
                    judgments_path(question_file),
                    lambda d, store=store: doc.text if (doc := store.document(d)) else None,
                )
                for problem in moved:
                    click.echo(
                        f"warning: {judgments_path(question_file)}: {safe_line(problem)} (counted as not judged)",
                        err=True,
                    )
            scores = evaluate_question_set(pipeline, question_set, chosen, strict=strict, judgments=judgments)
            summary.extend((question_set, s) for s in scores if s.mode == "hybrid")
            if ablation:
                pipeline.close()
                for label, update in ABLATIONS.items():
                    varied = settings.model_copy(update={"retrieve": settings.retrieve.model_copy(update=update)})
                    variant, _ = pipeline_for(varied, corpus, index_dir, "questions")
                    (score,) = evaluate_question_set(
                        variant, question_set, ("hybrid",), strict=strict, judgments=judgments
                    )
                    ablated.append((question_set, label, score))
                    variant.close()
            output[question_set.name] = [s.model_dump(exclude={"failures"} if not failures else set()) for s in scores]
            if not as_json:
                click.echo(
                    format_scores(
                        f"\n{question_set.name}: {len(question_set.questions)} answerable, "
                        f"{len(question_set.off_topic)} off-topic, "
                        f"{len(question_set.near_miss)} near-miss questions ({corpus})",
                        scores,
                    )
                )
                click.echo(format_judged("", scores))
                if failures:
                    for s in scores:
                        click.echo(f"\n{s.mode} misses:")
                        for line in s.failures:
                            click.echo(f"  {line}")
            pipeline.close()
        if len(summary) > 1 and not as_json:
            click.echo(
                "\nhybrid, side by side"
                + (" (strict labels)" if strict else "")
                + ": dev sets tune, a frozen set is reported once"
            )
            click.echo(
                format_side_by_side([(f"{q.name}{' [frozen test]' if q.frozen else ' [dev]'}", s) for q, s in summary])
            )
        if ablated and not as_json:
            click.echo("\nablation, hybrid: each stage off in turn")
            click.echo(format_side_by_side([(f"{q.name[:28]}: {label}", s) for q, label, s in ablated]))
            click.echo(
                "\npaired test (McNemar, exact) of each stage off against all on: first cards that answer only with "
                "the stage on / only with it off, p"
            )
            everything = {q.name: s for q, label, s in ablated if label == "all stages on"}
            for q, label, s in ablated:
                if label != "all stages on":
                    lost, gained, p = mcnemar(everything[q.name].ranks, s.ranks)
                    click.echo(f"  {q.name[:28]}: {label:<30} {lost:>3} / {gained:>3}  p = {p:.3f}")
        for conversation_file in conversation_files:
            from .evaluate import evaluate_conversations, format_conversations, load_conversation_set

            conversation_set = load_conversation_set(conversation_file)
            corpus = corpus_dir or question_set_corpus(conversation_set.corpus, conversation_file, settings)
            pipeline, _ = pipeline_for(settings, corpus, index_dir, "questions")
            _print_build_report(pipeline.build(progress=_TqdmProgress(settings.show_progress)), summary_to_stderr=True)
            scores = evaluate_conversations(pipeline, conversation_set)
            output[conversation_set.name] = scores.model_dump(exclude={"failures"} if not failures else set())
            if not as_json:
                click.echo(
                    format_conversations(
                        f"\n{conversation_set.name}{' [frozen test]' if conversation_set.frozen else ' [dev]'} "
                        f"({corpus})",
                        scores,
                    )
                )
                if failures and scores.failures:
                    click.echo("\nfollow-ups whose answer is not first with the thread:")
                    for line in scores.failures:
                        click.echo(f"  {line}")
            pipeline.close()
            if ablation:
                rows = []
                for label, update in CONVERSATION_ABLATIONS.items():
                    varied = settings.model_copy(update={"retrieve": settings.retrieve.model_copy(update=update)})
                    variant, _ = pipeline_for(varied, corpus, index_dir, "questions")
                    rows.append((label, evaluate_conversations(variant, conversation_set)))
                    variant.close()
                output[f"{conversation_set.name}: ablation"] = {label: s.model_dump() for label, s in rows}
                if not as_json:
                    click.echo(format_conversation_ablation(scores, rows))
        if beir_dir is not None:
            corpus = materialise_beir_corpus(beir_dir, cache_dir_for("beir", beir_dir) / "corpus")
            pipeline, index = pipeline_for(
                settings, corpus, index_dir or cache_dir_for("beir", beir_dir) / "index", "beir"
            )
            _print_build_report(pipeline.build(progress=_TqdmProgress(settings.show_progress)), summary_to_stderr=True)
            queries, qrels = load_beir_queries(beir_dir, split)
            if max_queries:
                queries = dict(list(queries.items())[:max_queries])
            scores = evaluate_beir(pipeline, queries, qrels, chosen)
            output[f"beir:{beir_dir.name}:{split}"] = [s.model_dump() for s in scores]
            if not as_json:
                click.echo(format_beir(f"\nBEIR {beir_dir.name} ({split} judgments)", scores))
            pipeline.close()
    except AssistantError as error:
        _fail(error)
    if as_json:
        click.echo(json_text(output, indent=2))
