"""Content as a spreadsheet (CSV or XLSX): one row per answer (a topic's overview or one of its entries) and language.

Columns: ``topic`` (the answer's id: ``residence_permit`` for the topic's
overview, ``residence_permit.fee`` for its entry ``fee``; an import also
accepts the column named ``id``), ``language``, ``title``, ``answer``,
``examples`` (one way of asking per line in the cell) and ``status`` (up to
date / out of date / missing; informative, ignored on import). An import
changes existing answers only: entries are added on the topic's page. An import is read into a
list of changes first; nothing is applied until the person confirms, and
then every change is validated and saved together (see ``Draft.save_files``).

An upload is outside input: an XLSX file is a ZIP archive of XML that can
inflate a few kilobytes into gigabytes, or declare a sheet a million columns
wide. Its archive and its sheet are measured before openpyxl parses anything
(``check_xlsx``), and every cell and the whole file are held to the sizes the
content can use. Reading is CPU work: the view runs it in a worker thread.
Problems are English message ids (marked ``N_`` for Babel) with their values;
the view translates them into the staff member's language.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import asdict, dataclass, field
from io import BytesIO, StringIO
from typing import Any, Callable

from openpyxl import Workbook, load_workbook

from bot.core.content.model import Answer, Pack

COLUMNS = ("topic", "language", "title", "answer", "examples", "status")
TEXT_FIELDS = ("title", "answer", "examples")
MAX_ROWS = 5000
#: Columns read from an XLSX sheet: the six above and room for a few of the person's own.
MAX_COLUMNS = 30
#: Cells in a sheet (all rows and columns, as the archive holds them): 5000 rows of six columns fit.
MAX_CELLS = 50_000
#: Characters in one cell: more than any field holds (an answer at most 700, a topic's ways of asking about 2,200 today).
MAX_CELL_CHARS = 5_000
#: Characters in the whole file: about what a CSV upload can carry (the app reads at most 2 MB per request).
MAX_TOTAL_CHARS = 2_000_000
#: What the XLSX archive may inflate to, and how much more than its compressed size one large part may be.
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # small parts (styles, themes) may compress better; they cannot grow big
MAX_PROBLEMS = 20  # listed; the rest are counted
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection):
# the export writes a leading ' before it and the import removes it again.
_FORMULA_START = ("=", "+", "-", "@")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")  # a cell element, with or without a namespace prefix
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")


def N_(message: str) -> str:  # the name Babel extracts by default
    """Marks a message for translation; it is translated where it is shown (see ``SheetError.messages``)."""
    return message


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be used: an English message id with ``%(name)s`` placeholders, and their values."""

    message: str
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, gettext: Callable[[str], str] = str) -> str:
        return gettext(self.message) % self.values if self.values else gettext(self.message)


class SheetError(ValueError):
    """The uploaded file cannot be used; ``problems`` says why (row by row)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.text() for p in problems))
        self.problems = problems

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its problems: a file is read in another process (bot.staff.views.exchange)."""
        return (SheetError, (self.problems,))

    def messages(self, gettext: Callable[[str], str] = str) -> list[str]:
        """The problems in the staff member's language (``gettext``), at most ``MAX_PROBLEMS`` listed."""
        shown = [p.text(gettext) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(gettext(N_("... and %(count)d more problems.")) % {"count": len(self.problems) - MAX_PROBLEMS})
        return shown


def _problem(message: str, **values: Any) -> Problem:
    return Problem(message, values)


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
        raise SheetError([_problem(N_("the CSV file is not UTF-8 text (at byte %(byte)d)"), byte=error.start)]) from None
    try:
        return [[_unguard(cell) for cell in row] for row in csv.reader(StringIO(text))]
    except csv.Error as error:  # e.g. a cell longer than the csv module's limit (128 KiB)
        raise SheetError([_problem(N_("the CSV file cannot be read (%(reason)s)"), reason=str(error))]) from None


def _count_cells(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """The cell elements in one sheet's XML, counted while streaming it (no parser, no tree in memory)."""
    count, tail = 0, b""
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            block = tail + chunk
            found = list(_CELL.finditer(block))
            count += len(found)
            cut = max(len(block) - 16, found[-1].end() if found else 0)  # a cell tag split across two chunks is counted once
            tail = block[cut:]
    return count


def check_xlsx(data: bytes) -> None:
    """Refuses (SheetError) an XLSX archive that inflates too far or holds a sheet with too many cells, before it is parsed."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise SheetError([_problem(N_("the file is not an XLSX workbook (%(reason)s)"), reason=type(error).__name__)]) from None
    megabytes = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
        raise SheetError([_problem(N_("the workbook unpacks to more than %(megabytes)d MB; upload a smaller file"), megabytes=megabytes)])
    for member in members:
        if member.file_size >= _RATIO_CHECKED_FROM_BYTES and member.file_size > MAX_COMPRESSION_RATIO * max(1, member.compress_size):
            raise SheetError(
                [_problem(N_("the workbook is compressed suspiciously well (%(part)s); it is not read"), part=member.filename)]
            )
    try:
        cells = max((_count_cells(archive, m) for m in members if _SHEET.match(m.filename)), default=0)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:  # e.g. a damaged part or a wrong checksum
        raise SheetError([_problem(N_("the file is not an XLSX workbook (%(reason)s)"), reason=type(error).__name__)]) from None
    if cells > MAX_CELLS:
        raise SheetError([_problem(N_("a sheet has %(cells)d cells; at most %(limit)d are read"), cells=cells, limit=MAX_CELLS)])


def _trimmed(row: list[str]) -> list[str]:
    """The row without its empty cells at the end (the columns openpyxl padded it with)."""
    while row and row[-1] == "":
        row.pop()
    return row


def _read_xlsx(data: bytes) -> list[list[str]]:
    check_xlsx(data)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise SheetError([_problem(N_("the file is not an XLSX workbook (%(reason)s)"), reason=type(error).__name__)]) from None
    try:
        sheet = book.worksheets[0]
        declared = (sheet.max_row or 0) * (sheet.max_column or 0)  # the sheet's own <dimension>, when it has one
        if declared > MAX_CELLS:
            raise SheetError([_problem(N_("a sheet has %(cells)d cells; at most %(limit)d are read"), cells=declared, limit=MAX_CELLS)])
        # max_col: openpyxl pads every row to the sheet's width, so one far-right cell would make every row that wide
        rows = sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS)
        return [_trimmed(["" if cell is None else str(cell) for cell in row]) for row in rows]
    except SheetError:
        raise
    except Exception as error:  # a damaged sheet
        raise SheetError([_problem(N_("the file is not an XLSX workbook (%(reason)s)"), reason=type(error).__name__)]) from None
    finally:
        book.close()


def _check_sizes(table: list[list[str]]) -> None:
    """Refuses cells longer than any field can be, and a file larger than the content could use."""
    problems = [
        _problem(
            N_("row %(row)d, column %(column)d: %(count)d characters; a cell holds at most %(limit)d"),
            row=r,
            column=c,
            count=len(v),
            limit=MAX_CELL_CHARS,
        )
        for r, row in enumerate(table, start=1)
        for c, v in enumerate(row, start=1)
        if len(v) > MAX_CELL_CHARS
    ]
    if problems:
        raise SheetError(problems)
    total = sum(len(v) for row in table for v in row)
    if total > MAX_TOTAL_CHARS:
        raise SheetError(
            [_problem(N_("the file holds %(count)d characters; at most %(limit)d are read"), count=total, limit=MAX_TOTAL_CHARS)]
        )


def read_upload(filename: str, data: bytes) -> list[dict[str, str]]:
    """The rows of an uploaded .csv or .xlsx file, by column name (CPU work: call it in a worker thread)."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        table = _read_csv(data)
    elif lower.endswith(".xlsx"):
        table = _read_xlsx(data)
    else:
        raise SheetError([_problem(N_("upload a .csv or .xlsx file (as exported here)"))])
    if not table:
        raise SheetError([_problem(N_("the file is empty"))])
    header = [h.strip().lower() for h in table[0]]
    if "id" in header and "topic" not in header:
        header[header.index("id")] = "topic"
    missing = [c for c in ("topic", "language") if c not in header]
    if missing or not any(c in header for c in TEXT_FIELDS):
        raise SheetError([_problem(N_("the first row must name the columns: %(columns)s"), columns=", ".join(COLUMNS))])
    if len(table) - 1 > MAX_ROWS:
        raise SheetError([_problem(N_("at most %(count)d rows"), count=MAX_ROWS)])
    _check_sizes(table)
    return [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in table[1:] if any(c.strip() for c in row)]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def changes(pack: Pack, rows: list[dict[str, str]]) -> list[Change]:
    """What the rows change in the pack; SheetError lists every row that cannot be used."""
    problems: list[Problem] = []
    found: list[Change] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, start=2):
        topic_id, lang = row.get("topic", "").strip(), row.get("language", "").strip()
        found_answer = pack.topic_and_entry(topic_id)
        if found_answer is None:
            if "." in topic_id and topic_id.partition(".")[0] in pack.topics:
                message = N_("row %(row)d: entry %(id)s does not exist (add new entries on the topic's page)")
            else:
                message = N_("row %(row)d: topic %(id)s does not exist")
            problems.append(_problem(message, row=number, id=repr(topic_id)))
            continue
        answer: Answer = found_answer[1] or pack.topics[found_answer[0]]
        if lang not in pack.languages:
            languages = ", ".join(pack.languages)
            problems.append(
                _problem(N_("row %(row)d: language %(lang)s is not one of %(languages)s"), row=number, lang=repr(lang), languages=languages)
            )
            continue
        if (topic_id, lang) in seen:
            problems.append(_problem(N_("row %(row)d: %(id)s/%(lang)s appears twice"), row=number, id=topic_id, lang=lang))
            continue
        seen.add((topic_id, lang))
        tr = answer.translations.get(lang)
        current = {
            "title": (tr.title if tr else "") or "",
            "answer": (tr.answer if tr else "") or "",
            "examples": "\n".join(tr.examples) if tr else "",
        }
        for column in TEXT_FIELDS:
            if column not in row:
                continue  # a column left out changes nothing
            value = row[column].replace("\r\n", "\n").strip()
            if column == "examples":
                value = "\n".join(_lines(value))
            elif column == "title":
                value = " ".join(value.split())
            if value != current[column]:
                found.append(Change(topic_id, lang, column, current[column], value))
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
