"""Reading a spreadsheet someone uploads — CSV or XLSX — into a header and rows of text, safely.

Everything that could make a worker hang, run out of memory or run something is refused with a
4xx (InputRefused) that names the problem: text that is not UTF-8, NUL bytes, more than MAX_ROWS
rows or MAX_COLUMNS columns, a cell over MAX_CELL characters; for XLSX (a zip), a file that is
not a zip, more than MAX_MEMBERS members, members whose uncompressed size adds up past
MAX_UNCOMPRESSED (a zip bomb) or that compress more than MAX_RATIO to one, and any formula cell
(a formula's cached value is whatever the last program to save the file computed; the value
itself is what belongs in the archive). openpyxl parses the XML through defusedxml, so no entity
is expanded and nothing is fetched.

Rows keep the number a spreadsheet program shows (the header is row 1); blank rows are skipped,
not renumbered, so "row 7" in a report is row 7 on the screen.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field

from ppkg.archive.rdf_input import InputRefused
from ppkg.formats import XLSX

MAX_ROWS = 10_000  # records per upload
MAX_COLUMNS = 64
MAX_CELL = 20_000  # characters
MAX_MEMBERS = 200  # files inside an XLSX
MAX_UNCOMPRESSED = 64 * 1024 * 1024  # bytes of all members of an XLSX, uncompressed
MAX_RATIO = 200  # uncompressed / compressed, per member


@dataclass
class Sheet:
    """A spreadsheet's header and its non-blank rows, as text, with their row numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, cells)


def read_sheet(data: bytes, fmt, name: str = "spreadsheet") -> Sheet:
    """A CSV_TABLE or XLSX upload as a Sheet (InputRefused when it cannot be read safely)."""
    if fmt is XLSX:
        return _sheet(name, _xlsx_rows(data, name))
    return _sheet(name, _csv_rows(data, name))


def _sheet(name: str, rows) -> Sheet:
    header: list[str] | None = None
    sheet = Sheet(name=name, header=[])
    for number, cells in rows:
        while cells and not cells[-1]:  # XLSX rows come padded with empty cells
            cells = cells[:-1]
        if len(cells) > MAX_COLUMNS:
            raise InputRefused(f"{name}: row {number} has {len(cells)} columns, more than the "
                               f"{MAX_COLUMNS} a template has", status=413)
        for i, cell in enumerate(cells):
            if len(cell) > MAX_CELL:
                raise InputRefused(f"{name}: row {number}, column {i + 1} holds more than "
                                   f"{MAX_CELL} characters", status=413)
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            sheet.header = header
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise InputRefused(f"{name}: more than {MAX_ROWS} rows, the limit per upload: split "
                               "it into several files", status=413)
        sheet.rows.append((number, cells + [""] * (len(header) - len(cells))))
    if header is None:
        raise InputRefused(f"{name} is empty: the first row names the columns (download a "
                           "template)")
    return sheet


def _csv_rows(data: bytes, name: str):
    if b"\x00" in data:
        raise InputRefused(f"{name} holds NUL bytes: it is not a CSV text file (an XLSX file is "
                           "sent as .xlsx)", status=415)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise InputRefused(f"{name} is not UTF-8 text (line {line}, byte {err.start}): save it "
                           "as \"CSV UTF-8\" (or send the .xlsx)", status=415, line=line) from None
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as err:
        raise InputRefused(f"{name}, line {reader.line_num}: not valid CSV: {err}",
                           line=reader.line_num) from None


def _xlsx_rows(data: bytes, name: str):
    _check_zip(data, name)
    import openpyxl  # here: only an XLSX upload pays for importing it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a damaged file  # noqa: BLE001
        raise InputRefused(f"{name} cannot be read as an XLSX workbook: {err}", status=415) from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            yield number, [_cell_text(cell, number, name) for cell in row]
    finally:
        book.close()


def _check_zip(data: bytes, name: str) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError):
        raise InputRefused(f"{name} is not an XLSX file (not a zip archive): send .xlsx or CSV",
                           status=415) from None
    if len(members) > MAX_MEMBERS:
        raise InputRefused(f"{name} holds {len(members)} files; an XLSX workbook has far fewer",
                           status=413)
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise InputRefused(f"{name} unpacks to {total} bytes, more than {MAX_UNCOMPRESSED}",
                           status=413)
    for m in members:
        if m.file_size > 1024 * 1024 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputRefused(f"{name}: {m.filename} unpacks {m.file_size // max(m.compress_size, 1)}"
                               " times its size (a zip bomb?)", status=413)


def _cell_text(cell, number: int, name: str) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f" or (isinstance(value, str) and value.startswith("=") and
                                 cell.data_type != "s"):
        raise InputRefused(f"{name}: row {number}, column {cell.column_letter} holds a formula "
                           f"({str(value)[:40]}): type the value itself", status=422,
                           row=number, column=cell.column_letter)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

