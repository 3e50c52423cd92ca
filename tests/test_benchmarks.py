"""The benchmark's results files: a run is written beside the earlier ones, never over them, and
compared with the newest of them."""

from __future__ import annotations

import json

from benchmarks.__main__ import latest_results, write_results


def run(date: str, value: float) -> dict:
    return {
        "meta": {"date": date, "host": "h", "cpus": 2, "python": "3.11", "seconds": 1.0},
        "figures": {"x": {"value": value, "unit": "ms", "baseline": None, "note": "", "target": ""}},
    }


def test_a_second_run_on_the_same_day_is_written_beside_the_first(tmp_path):
    first, _ = write_results(tmp_path, run("2026-12-03T10:00:00+00:00", 1.0), [])
    second, second_md = write_results(tmp_path, run("2026-12-03T23:00:00+00:00", 2.0), [])
    assert first != second and second_md.exists()
    assert json.loads(first.read_text())["figures"]["x"]["value"] == 1.0
    assert json.loads(second.read_text())["figures"]["x"]["value"] == 2.0


def test_the_run_compared_with_is_the_newest_by_its_date_not_its_file_name(tmp_path):
    write_results(tmp_path, run("2026-12-03T10:00:00+00:00", 1.0), [])
    write_results(tmp_path, run("2026-12-03T23:00:00+00:00", 2.0), [])
    assert latest_results(tmp_path)["figures"]["x"]["value"] == 2.0
    assert latest_results(tmp_path / "none") is None
