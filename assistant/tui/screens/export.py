"""Exporting: a file name and a format, for the report (Markdown with the quoted passages, or
their references as BibTeX or CSL-JSON) and for the conversation's case note. A file that exists
is replaced only when the user says so."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, SelectionList, Static

from .confirm import ConfirmScreen

REPORT_FORMATS = {
    "markdown": ("Markdown report", ".md"),
    "text": ("Plain text (to paste into a document or an e-mail)", ".txt"),
    "bibtex": ("BibTeX references", ".bib"),
    "csl-json": ("CSL-JSON references", ".json"),
}


def with_format_suffix(value: str, default: Path, suffix: str) -> str:
    """The file name typed, given the chosen format's suffix. An empty box, or a folder ("reports/",
    "."), gets the default file name (in that folder): there is no name to change the suffix of."""
    text = value.strip()
    name = default.with_suffix(suffix).name
    if not text:
        return str(default.with_suffix(suffix))
    path = Path(text)
    if text.endswith(("/", "\\")) or path.name in ("", ".", "..") or path.expanduser().is_dir():
        return str(path / name)
    return str(path.with_suffix(suffix))


NOT_WRITTEN = frozenset({".docx", ".doc", ".odt", ".rtf", ".pdf", ".xlsx", ".xls", ".pptx", ".html", ".htm"})
"""File types a user may type that no export writes: Markdown written into "forteam.docx" was a
file Word calls damaged (a first-use audit)."""


class FormatList(RadioSet):
    """The formats. Enter chooses the highlighted one and writes the file, as the dialog's title
    says (it only chose one, and a first-use audit took two exports for written); Space only
    chooses."""

    BINDINGS = [Binding("enter", "write", "Write", show=False)]

    class Write(Message):
        """Enter was pressed on the list."""

    def action_write(self) -> None:
        self.action_toggle_button()
        self.post_message(self.Write())


class ExportScreen(ModalScreen[tuple[Path, str, set[int]] | None]):
    """Returns (file, format, the numbers from 1 of the ``questions`` left out: a case note's,
    each with whether it is in the note; none without them), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 90%; max-width: 90; height: auto; max-height: 100%; border: heavy $accent; background: $surface; padding: 0 1; }
    ExportScreen RadioSet { width: 100%; }
    ExportScreen Horizontal { height: auto; }
    ExportScreen Button { margin: 0 1 0 0; }
    ExportScreen SelectionList { height: auto; max-height: 6; }
    """

    def __init__(
        self,
        title: str,
        default: Path,
        formats: dict[str, tuple[str, str]] = REPORT_FORMATS,
        style: str | None = None,
        questions: list[tuple[str, bool]] | None = None,
        written_by: dict[str, set[int]] | None = None,
    ):
        super().__init__()
        self.questions = questions
        self.kept = {number: kept for number, (_, kept) in enumerate(questions or [], start=1)}
        """Whether each question (numbered from 1) is in the note, listed or not."""
        self.written_by = written_by or {}
        """The questions a format writes, where not all (the current topic's note): only they are listed."""
        self.title_text = title
        self.default = default
        self.formats = formats
        self.style = style if style in formats else next(iter(formats))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{self.title_text} (Enter to write, Esc to cancel)", markup=False)
            with FormatList(id="export-format"):
                for style in self.formats:
                    yield RadioButton(self._label(style), value=style == self.style, id=f"format-{style}")
            yield Static("File:", markup=False)
            # Coming back to the box (shift+Tab) must not select the name, or the next key replaces it.
            yield Input(value=str(self.default), id="export-path", select_on_focus=False)
            if self.questions:
                # The turns the user picks: a question asked by mistake (a first-use audit's ward
                # bleep number) is left out of the note. After the file box, so that shift+Tab
                # from it still reaches the formats.
                yield Static("Questions in the note (Space leaves one out, or puts it back):", markup=False)
                yield SelectionList[int](*self._question_options(), id="export-questions")
            with Horizontal():
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def _listed(self) -> list[int]:
        """The numbers of the questions the chosen format writes (a first-use audit saw other
        topics' questions ticked under "this topic only", and none of them was written)."""
        every = range(1, len(self.questions or []) + 1)
        return [n for n in every if n in self.written_by[self.style]] if self.style in self.written_by else list(every)

    def _question_options(self) -> list[tuple[Text, int, bool]]:
        # As Text: a question is the user's words, never markup.
        labels = [label for label, _ in self.questions or []]
        return [(Text(labels[number - 1]), number, self.kept[number]) for number in self._listed()]

    @on(SelectionList.SelectedChanged, "#export-questions")
    def _ticked(self, event: SelectionList.SelectedChanged) -> None:
        selected = set(event.selection_list.selected)
        for index in range(event.selection_list.option_count):
            number = event.selection_list.get_option_at_index(index).value
            self.kept[number] = number in selected

    def on_mount(self) -> None:
        box = self.query_one("#export-path", Input)
        box.focus()
        box.cursor_position = len(box.value)

    @on(FormatList.Write)
    def _write_from_the_list(self) -> None:
        self.call_after_refresh(self._export)  # after the format chosen has renamed the file

    def on_key(self, event: events.Key) -> None:
        """A character typed on the formats or a button belongs to the file name: it goes to the
        end of the box (a first-use audit typed a file name after Tab and lost every letter).
        Space still chooses a format or presses a button."""
        box = self.query_one("#export-path", Input)
        if self.focused is box or not event.is_printable or not event.character or event.character == " ":
            return
        box.focus()
        box.cursor_position = len(box.value)
        box.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Back in the file box, the cursor goes to the end of the name, as at opening."""
        if event.widget.id == "export-path" and isinstance(event.widget, Input):
            event.widget.cursor_position = len(event.widget.value)

    def _label(self, style: str) -> str:
        """The chosen format is marked in words too, not only by colour."""
        return f"{self.formats[style][0]}{'  ← chosen' if style == self.style else ''}"

    @on(RadioSet.Changed, "#export-format")
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        self.style = (event.pressed.id or "format-markdown").removeprefix("format-")
        for style in self.formats:
            self.query_one(f"#format-{style}", RadioButton).label = self._label(style)
        box = self.query_one("#export-path", Input)
        box.value = with_format_suffix(box.value, self.default, self.formats[self.style][1])
        if self.questions:
            listed = self.query_one("#export-questions", SelectionList)
            listed.clear_options()
            listed.add_options(self._question_options())

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        path = Path(value).expanduser()
        refusal = self._refusal(value, path)
        if refusal:
            self.notify(refusal, severity="warning", timeout=8, markup=False)
            return
        named = self._format_named(path.suffix.lower())
        if named != self.style:
            # "team.bib" typed with Markdown chosen was written as Markdown: the name says BibTeX.
            self.style = named
            self.notify(f"Written as {self.formats[named][0]}: the file name ends in {path.suffix}.", markup=False)
        if path.exists():

            def answered(replace: bool | None) -> None:
                if replace:
                    self.dismiss(self._choice(path))

            self.app.push_screen(ConfirmScreen(f"{path} exists. Replace it?", yes="Replace", no="Keep it"), answered)
            return
        self.dismiss(self._choice(path))

    def _format_named(self, typed: str) -> str:
        """The format a file name's suffix names, of those writing the same questions as the one
        chosen; the one chosen when the suffix names none (or the chosen one)."""
        if typed == self.formats[self.style][1]:
            return self.style
        limited = self.style in self.written_by
        named = [
            style
            for style, (_, suffix) in self.formats.items()
            if suffix == typed and (style in self.written_by) == limited
        ]
        return named[0] if named else self.style

    def _refusal(self, value: str, path: Path) -> str | None:
        """Why the file name typed is not written, or None."""
        if not value:
            return "Type a file name."
        if path.is_dir():
            return f"{value} is a folder: add a file name."
        suffixes = {suffix for _, suffix in self.formats.values()}
        # A path typed after the name in the box ("…-094026.md/tmp/exports/team.md") made a folder
        # named like a report, and the next export went into it (a first-use audit).
        named_like_a_file = next((p for p in path.parents if p.suffix.lower() in suffixes and not p.is_dir()), None)
        if named_like_a_file is not None:
            return (
                f"{named_like_a_file.name} is named like a file, not a folder: type the file name in place of the one "
                "in the box (ctrl+u clears it)."
            )
        typed = path.suffix.lower()
        if typed in NOT_WRITTEN:
            return f"A {typed} file cannot be written here: name it {', '.join(sorted(suffixes))}."
        if typed in suffixes and typed != self.formats[self.style][1] and self._format_named(typed) == self.style:
            # A switch would widen what is written: "this topic only" named ".bib" wrote the
            # references of every topic, another case's among them (a first-use audit).
            other = next(style for style, (_, suffix) in self.formats.items() if suffix == typed)
            return (
                f"“{self.formats[self.style][0]}” writes a {self.formats[self.style][1]} file; for {typed}, choose "
                f"“{self.formats[other][0]}” above (it holds every topic)."
            )
        return None

    def _choice(self, path: Path) -> tuple[Path, str, set[int]]:
        return path, self.style, {number for number, kept in self.kept.items() if not kept}

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
