"""The benchmark scripts' bookkeeping: tables read back from the doc, earlier rows kept, think times."""

from __future__ import annotations

import pytest

from benchmarks import report, targets
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
