"""The terminal UI (Textual): a thin layer over ``assistant.Pipeline``."""
