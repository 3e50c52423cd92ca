"""Launch the Guidance Lookup terminal UI: ``python tui.py [--index DIR] [--corpus DIR]``
(the same as ``python -m assistant tui``)."""

import sys

from assistant.cli import main

if __name__ == "__main__":
    main(["tui", *sys.argv[1:]], prog_name="tui.py")
