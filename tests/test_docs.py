"""The README and docs/ say what the code does: every command is documented, the JSON example
is a valid answer, and the README stays a two-minute read."""

from __future__ import annotations

import json
import re

import click

from assistant.cli import main
from assistant.models import AnswerJSON

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix}{name} "))
        else:
            found.append(f"{prefix}{name}")
    return found


def test_every_command_of_the_cli_is_in_the_readme():
    names = commands(main)
    assert {"ask", "index build", "index verify", "catalogue init"} <= set(names)
    assert [name for name in names if f"`{name}" not in README] == []


def test_the_readme_is_at_most_150_lines_and_names_both_commands_on_its_first_screen():
    lines = README.splitlines()
    assert len(lines) <= 150
    assert "make run" in "\n".join(lines[:24]) and "make test" in "\n".join(lines[:24])


def test_the_json_example_is_a_valid_answer():
    example = re.search(r"```json\n(.*?)```", (REPO / "docs" / "json.md").read_text(encoding="utf-8"), re.S).group(1)
    answer = AnswerJSON.model_validate(json.loads(example))
    assert answer.results and answer.results[0].citation


def test_every_document_the_readme_points_to_exists():
    for name in re.findall(r"docs/[a-z-]+\.md", README):
        assert (REPO / name).is_file(), name
