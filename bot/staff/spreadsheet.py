"""Content as a spreadsheet (CSV or XLSX): one row per answer (a topic's overview or one of its entries) and language.

Columns: ``topic`` (the answer's id: ``residence_permit`` for the topic's
overview, ``residence_permit.fee`` for its entry ``fee``; an import also
accepts the column named ``id``), ``language``, ``title``, ``answer``,
``examples`` (one way of asking per line in the cell) and ``status`` (up to
date / out of date / missing; informative, ignored on import). An import
changes existing answers only: entries are added on the topic's page. An import is read into a
list of changes first; nothing is applied until the person confirms, and
then every change is validated and saved together (see ``Draft.save_files``).
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from io import BytesIO, StringIO
from typing import Any

from openpyxl import Workbook, load_workbook

from bot.content.model import Answer, Pack

COLUMNS = ("topic", "language", "title", "answer", "examples", "status")
TEXT_FIELDS = ("title", "answer", "examples")
MAX_ROWS = 5000
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection):
# the export writes a leading ' before it and the import removes it again.
_FORMULA_START = ("=", "+", "-", "@")


class SheetError(ValueError):
    """The uploaded file cannot be used; ``problems`` says why (row by row)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Change:
    """One field of one answer's language that an import changes; ``topic`` is the answer id (``topic`` or ``topic.entry``)."""

    topic: str
    lang: str
    field: str
    before: str
    after: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _status(answer: Answer, lang: str) -> str:
    tr = answer.translations.get(lang)
    if tr is None or not tr.answer or not tr.title:
        return "missing"
    return "out of date" if answer.is_stale(lang) else "up to date"


def export_rows(pack: Pack, languages: list[str] | None = None) -> list[dict[str, str]]:
    """Every topic's overview, then its entries, each in every language."""
    rows = []
    answers = [answer for topic in sorted(pack.topics.values(), key=lambda t: t.id) for answer in topic.all_answers()]
    for answer in answers:
        for lang in languages or list(pack.languages):
            tr = answer.translations.get(lang)
            rows.append(
                {
                    "topic": answer.id,
                    "language": lang,
                    "title": (tr.title if tr else "") or "",
                    "answer": (tr.answer if tr else "") or "",
                    "examples": "\n".join(tr.examples) if tr else "",
                    "status": _status(answer, lang),
                }
            )
    return rows


def _guard(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_FORMULA_START) else value


def to_csv(rows: list[dict[str, str]]) -> bytes:
    out = StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _guard(v) for k, v in row.items()})
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def to_xlsx(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "content"
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([row[c] for c in COLUMNS])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            cell.data_type = "s"  # text, never a formula, whatever it starts with
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _read_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetError([f"the CSV file is not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    return [[_unguard(cell) for cell in row] for row in csv.reader(StringIO(text))]


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError([f"the file is not an XLSX workbook ({type(error).__name__})"]) from None
    sheet = book.worksheets[0]
    rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    book.close()
    return rows


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded .csv or .xlsx file, by column name."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        table = _read_csv(data)
    elif lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        raise SheetError(["upload a .csv or .xlsx file (as exported here)"])
    if not table:
        raise SheetError(["the file is empty"])
    header = [h.strip().lower() for h in table[0]]
    if "id" in header and "topic" not in header:
        header[header.index("id")] = "topic"
    missing = [c for c in ("topic", "language") if c not in header]
    if missing or not any(c in header for c in TEXT_FIELDS):
        raise SheetError([f"the first row must name the columns: {', '.join(COLUMNS)}"])
    if len(table) - 1 > MAX_ROWS:
        raise SheetError([f"at most {MAX_ROWS} rows"])
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in table[1:] if any(c.strip() for c in row)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def changes(pack: Pack, rows: list[dict[str, str]]) -> list[Change]:
    """What the rows change in the pack; SheetError lists every row that cannot be used."""
    problems, found, seen = [], [], set()
    for number, row in enumerate(rows, start=2):
        topic_id, lang = row.get("topic", "").strip(), row.get("language", "").strip()
        where = f"row {number}"
        found_answer = pack.topic_and_entry(topic_id)
        if found_answer is None:
            if "." in topic_id and topic_id.partition(".")[0] in pack.topics:
                problems.append(f"{where}: entry {topic_id!r} does not exist (add new entries on the topic's page)")
            else:
                problems.append(f"{where}: topic {topic_id!r} does not exist")
            continue
        answer: Answer = found_answer[1] or pack.topics[found_answer[0]]
        if lang not in pack.languages:
            problems.append(f"{where}: language {lang!r} is not one of {', '.join(pack.languages)}")
            continue
        if (topic_id, lang) in seen:
            problems.append(f"{where}: {topic_id}/{lang} appears twice")
            continue
        seen.add((topic_id, lang))
        tr = answer.translations.get(lang)
        current = {
            "title": (tr.title if tr else "") or "",
            "answer": (tr.answer if tr else "") or "",
            "examples": "\n".join(tr.examples) if tr else "",
        }
        for field in TEXT_FIELDS:
            if field not in row:
                continue  # a column left out changes nothing
            value = row[field].replace("\r\n", "\n").strip()
            if field == "examples":
                value = "\n".join(_lines(value))
            elif field == "title":
                value = " ".join(value.split())
            if value != current[field]:
                found.append(Change(topic_id, lang, field, current[field], value))
    if problems:
        raise SheetError(problems)
    return found


def as_values(change_list: list[Change]) -> dict[tuple[str, str], dict[str, Any]]:
    """The changes grouped by (answer id, language): field -> new value (examples as a list)."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for change in change_list:
        value: Any = _lines(change.after) if change.field == "examples" else change.after
        grouped.setdefault((change.topic, change.lang), {})[change.field] = value
    return grouped
