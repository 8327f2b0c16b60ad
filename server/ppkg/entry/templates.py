"""Blank spreadsheets to fill in, one per kind: CSV (the header row) and XLSX (the header row, a
note on each column, and a second sheet that explains every column). No example row: a row left
in by mistake would be entered as a record."""

from __future__ import annotations

import csv
import io

from ppkg.entry.kinds import Kind


def template_csv(kind: Kind) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([c.name for c in kind.template_columns])
    return buffer.getvalue()


def template_xlsx(kind: Kind) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = kind.name
    bold = Font(bold=True)
    for i, column in enumerate(kind.template_columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.name)
        cell.font = bold
        note = column.description + (" (required)" if column.required else "")
        cell.comment = Comment(note, "ppkg", width=320, height=120)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(column.name) + 4)
    sheet.freeze_panes = "A2"
    about = book.create_sheet("columns")
    about.append(["column", "required", "what to enter", "example"])
    for cell in about[1]:
        cell.font = bold
    for column in kind.template_columns:
        about.append([column.name, "yes" if column.required else "", column.description,
                      column.example])
    about.column_dimensions["C"].width = 90
    about.column_dimensions["D"].width = 40
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
