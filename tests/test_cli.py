"""The command line as a whole: every command documents itself with an example, a missing index
is one line naming the fix, and bad usage exits 2. Each command's behaviour is specified in its
own file (test_cli_ask.py, test_cli_index.py, test_cli_cite.py, test_cli_clean.py,
test_cli_eval.py, test_cli_doctor.py)."""

import pytest
from click.testing import CliRunner

from assistant.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("subcommand", [["ask", "a question"], ["index", "status"], ["cite", "1"]])
def test_missing_index_is_a_one_line_error_naming_the_fix(tmp_path, subcommand):
    result = CliRunner().invoke(
        main, [*subcommand[:1], *subcommand[1:2], *subcommand[2:], "--index", str(tmp_path / "nowhere")]
    )
    assert result.exit_code == 1
    assert "run: python -m assistant index build" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_unknown_option_is_a_usage_error():
    assert CliRunner().invoke(main, ["ask", "--no-such-option"]).exit_code == 2


def _commands(group, prefix=()):
    import click

    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))
        else:
            yield prefix + (name,), command


@pytest.mark.parametrize(
    "path,command", list(_commands(main)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else ""
)
def test_every_command_has_help_with_an_example(path, command):
    result = run(*path, "--help")
    assert result.exit_code == 0
    assert command.help and "Example:" in command.help


def test_tui_py_help_names_its_own_usage():
    import subprocess
    import sys

    from .conftest import REPO

    result = subprocess.run(
        [sys.executable, str(REPO / "tui.py"), "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.startswith("Usage: tui.py [OPTIONS]"), result.stdout[:200]
