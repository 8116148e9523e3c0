"""The benchmark scripts' bookkeeping: tables read back from the doc, earlier rows kept, think times."""

from __future__ import annotations

import pytest

from benchmarks import clinc150, report, targets
from benchmarks.load import Load

DOC_SECTION = """
## Targets

| target | measured | met |
| --- | --- | --- |
| p95 < 150 ms | p95 84 ms | yes |
| training < 3 min | 58 s | yes |

Text after the table.
"""


def test_table_rows_reads_body_rows_only():
    assert report.table_rows(DOC_SECTION) == [["p95 < 150 ms", "p95 84 ms", "yes"], ["training < 3 min", "58 s", "yes"]]


def test_read_section_returns_what_write_section_wrote(tmp_path):
    doc = tmp_path / "benchmarks.md"
    report.write_section("targets", DOC_SECTION, doc)
    report.write_section("other", "## Other", doc)
    assert report.table_rows(report.read_section("targets", doc))[0][0] == "p95 < 150 ms"
    assert report.read_section("missing", doc) == ""


def test_a_target_without_results_here_keeps_its_earlier_row_marked():
    earlier = report.table_rows(DOC_SECTION)
    computed = [["p95 < 150 ms", "not measured", "open"], ["training < 3 min", "61 s", "yes"]]
    rows = targets.with_earlier_rows(computed, earlier)
    assert rows[0] == ["p95 < 150 ms", "p95 84 ms" + targets.EARLIER, "yes"]
    assert rows[1] == ["training < 3 min", "61 s", "yes"]  # measured here: the new figure wins
    assert targets.with_earlier_rows(rows, rows)[0][1].count(targets.EARLIER) == 1


def test_an_optional_run_never_measured_is_left_out_and_an_unknown_target_stays_open():
    computed = [["p95, new connections", targets.OPTIONAL, "open"], ["CLINC150 share", "not measured", "open"]]
    assert targets.with_earlier_rows(computed, []) == [["CLINC150 share", "not measured", "open"]]


@pytest.mark.parametrize("spread", [0.0, 0.5])
def test_think_times_keep_their_mean_and_stay_within_the_spread(spread):
    load = Load("http://localhost", ["hi"], users=1, turns=5, think=3.0, pids={}, think_spread=spread)
    waits = [load.think_time() for _ in range(2000)]
    assert min(waits) >= 3.0 * (1 - spread) and max(waits) <= 3.0 * (1 + spread)
    assert sum(waits) / len(waits) == pytest.approx(3.0, abs=0.05)
    assert (max(waits) - min(waits) > 2.5) == (spread == 0.5)


CLINC_SECTION = """
## CLINC150

Machine: Intel. Written 2026-12-02 20:56 UTC.

| configuration | in-scope accuracy | OOS recall | in-scope fallback | training | parse mean / p95 | model load | load avg |
| --- | --- | --- | --- | --- | --- | --- | --- |
| project pipeline (config.yml) | 90.8% | 49.0% | 2.7% | 5.1 min | 31.2 / 44.9 ms | 8.5 s | eval 1.09 |
| Rasa default (`rasa init`) | 88.6% | 48.6% | 3.6% | 102.0 min | 13.9 / 19.2 ms | 19.3 s | eval 1.87 |
"""


def test_clinc150_keeps_the_other_configurations_earlier_row_marked():
    earlier = clinc150.earlier_rows(CLINC_SECTION)
    project = {
        "in_scope_accuracy": 0.908, "oos_recall": 0.49, "in_scope_fallback": 0.027, "train_seconds": 300.0,
        "train_cpu_seconds": 330.0, "parse_ms_mean": 4.0, "parse_ms_p95": 6.0, "model_load_seconds": 8.0,
        "train_load": "1.0", "load_average": "1.1",
    }  # fmt: skip
    rows = report.table_rows(clinc150.render({"project": project}, {"default": "not started"}, earlier))
    assert rows[0][5] == "4.0 / 6.0 ms"  # measured now
    assert rows[1][:6] == ["Rasa default (`rasa init`)", "88.6%", "48.6%", "3.6%", "102.0 min", "13.9 / 19.2 ms"]
    assert rows[1][7] == "eval 1.87 (earlier run, 2026-12-02 20:56 UTC; its raw results are not on this machine)"
    again = clinc150.earlier_rows(clinc150.render({}, {}, earlier))  # read back from a doc written with it
    assert again["default"][7].count("earlier run") == 1


def test_clinc150_without_an_earlier_row_says_pending():
    rows = report.table_rows(clinc150.render({}, {"default": "training, epoch 3"}, {}))
    assert rows[1][1] == "pending" and rows[1][7] == "training, epoch 3"


def test_a_load_table_names_the_command_that_measured_it():
    from benchmarks.load import command_of

    result = {"topology": "proxy", "users": 20, "think_seconds": 3.0, "think_spread": 0.5, "speedups": True}
    assert command_of(result, "x") == ".venv/bin/python benchmarks/load.py --topology proxy --think 3 --think-spread 0.5 --tag x"
    stock = {"users": 10, "think_seconds": 0.0, "speedups": False, "new_connections": True}
    assert command_of(stock, "y") == ".venv/bin/python benchmarks/load.py --users 10 --no-speedups --new-connections --tag y"
