"""Launch the Guidance Lookup terminal UI: ``python tui.py [--index DIR] [--corpus DIR]``
(the same as ``python -m assistant tui``)."""

import sys

from assistant.cli import tui_script

if __name__ == "__main__":
    tui_script(sys.argv[1:])
