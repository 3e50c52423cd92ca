"""Exporting the report: a file name (default in reports/) and a format: Markdown (the quoted
passages with their citations and a reference list), BibTeX or CSL-JSON (the references)."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from ...report import ReportBasket

FORMAT_LABELS = {"markdown": "Markdown report", "bibtex": "BibTeX references", "csl-json": "CSL-JSON references"}


class ExportScreen(ModalScreen[tuple[Path, str] | None]):
    """Returns (file, format), or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 90%; max-width: 90; height: auto; max-height: 90%; border: heavy $accent; background: $surface; padding: 0 1; }
    ExportScreen RadioSet { width: 100%; }
    ExportScreen Horizontal { height: auto; }
    ExportScreen Button { margin: 1 1 0 0; }
    """

    def __init__(self, basket: ReportBasket, folder: Path):
        super().__init__()
        self.basket = basket
        self.folder = folder
        self.style = "markdown"

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export the report (Enter to write, Esc to cancel)", markup=False)
            with RadioSet(id="export-format"):
                for style in FORMAT_LABELS:
                    yield RadioButton(self._label(style), value=style == "markdown", id=f"format-{style}")
            yield Static("File:", markup=False)
            yield Input(value=str(self.basket.default_path(self.folder)), id="export-path")
            with Horizontal():
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        box = self.query_one("#export-path", Input)
        box.focus()
        box.cursor_position = len(box.value)

    def _label(self, style: str) -> str:
        """The chosen format is marked in words too, not only by colour."""
        return f"{FORMAT_LABELS[style]}{'  ← chosen' if style == self.style else ''}"

    @on(RadioSet.Changed, "#export-format")
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        self.style = (event.pressed.id or "format-markdown").removeprefix("format-")
        for style in FORMAT_LABELS:
            self.query_one(f"#format-{style}", RadioButton).label = self._label(style)
        box = self.query_one("#export-path", Input)
        path = Path(box.value)
        box.value = str(path.with_suffix(ReportBasket.EXPORT_FORMATS[self.style]))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export")
    def _export(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("Type a file name.", severity="warning", timeout=3)
            return
        self.dismiss((Path(value).expanduser(), self.style))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
