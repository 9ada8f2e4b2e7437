"""Read a township workbook (.xlsx/.xlsm/.xls/.ods) into a Register, with python-calamine.

Tolerates what real submissions look like (REGISTER.md): title rows above the
header, merged cells, aliases for sheets and columns, units in headers and
values, 合计 rows and 填表说明 blocks. A value it cannot understand becomes a
RegisterError at its exact cell; the rest of the workbook is still read. The
input file is only ever opened for reading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable

from fireaudit.checklist import Checklist
from fireaudit.checklist.models import ColumnSpec, ProfileSpec, RegisterSpec, SheetSpec
from fireaudit.errors import InputError
from fireaudit.register.model import Evidence, Note, ProfileEntry, Register, RegisterError, Table, a1
from fireaudit.register.preflight import check_file, limits_of
from fireaudit.register.values import ValueParsers, is_blank, raw_text
from fireaudit.textnorm import clean, norm

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
_SHEET_NUMBERING = re.compile(r"^(?:表|附表)?[0-9一二三四五六七八九十]+[.、．:：\-_)]*")
_TRAILING_PARENS = re.compile(r"^(.*?)\(([^()]*)\)$")
_PROFILE_HEADER_WORDS = {norm(w) for w in ("项目", "填报内容", "内容", "备注", "序号")}


@dataclass(frozen=True)
class HeaderMatch:
    spec: ColumnSpec
    unit_factor: float | None    # header unit -> canonical unit; None when the header names no unit
    unit: str | None


class _Lookup:
    """Normalised names and aliases of one sheet's columns (or the profile's keys)."""

    def __init__(self, columns: Iterable[ColumnSpec], spec: RegisterSpec):
        self.by_name: dict[str, ColumnSpec] = {}
        for column in columns:
            for name in (column.name, *column.aliases):
                self.by_name.setdefault(norm(name), column)
        self.register = spec
        self.marker = norm(spec.reader.required_marker)

    def match(self, text: str) -> HeaderMatch | None | str:
        """A HeaderMatch, None for an unknown header, or 'bad-unit:<unit>' for a unit we cannot convert."""
        key = norm(text).replace(self.marker, "")
        if not key:
            return None
        if key in self.by_name:
            return HeaderMatch(self.by_name[key], None, None)
        parens = _TRAILING_PARENS.match(key)
        if not parens or parens.group(1) not in self.by_name:
            return None
        spec, unit = self.by_name[parens.group(1)], parens.group(2)
        if spec.type not in ("number", "count"):
            return HeaderMatch(spec, None, None)  # `人员类别（专职/志愿/兼职）`: a hint, not a unit
        units = {norm(u): f for u, f in self.register.dimensions[spec.dimension or "count"].units.items()}
        if unit not in units:
            return f"bad-unit:{unit}"
        return HeaderMatch(spec, units[unit], unit)


def _sheet_key(name: str) -> str:
    return _SHEET_NUMBERING.sub("", norm(name)) or norm(name)


class RegisterReader:
    """Reads workbooks against one checklist's register spec; reusable across files."""

    def __init__(self, checklist: Checklist):
        self.spec = checklist.register
        self.parsers = ValueParsers(self.spec)
        self.settings = self.spec.reader
        self.limits = limits_of(checklist)
        self._lookups: dict[str, _Lookup] = {}

    def _lookup(self, name: str, columns: Iterable[ColumnSpec]) -> _Lookup:
        if name not in self._lookups:
            self._lookups[name] = _Lookup(columns, self.spec)
        return self._lookups[name]

    # -- whole workbook ----------------------------------------------------
    def read(self, path: str | Path, *, county: bool = False, data: bytes | None = None) -> Register:
        """Read a township register (or, with county=True, a county register).

        `data`, when given, is the file's content already in memory: calamine
        parses exactly those bytes (the ones the caller hashed for provenance)."""
        path = Path(path)
        scanned = check_file(path, self.limits)
        workbook = open_workbook(path, data)
        errors: list[RegisterError] = []
        notes: list[Note] = []
        sheets: list[SheetSpec] = list(self.spec.county_sheets if county else self.spec.sheets)
        wanted: dict[str, SheetSpec | ProfileSpec] = {}
        for spec in ([] if county else [self.spec.profile]) + sheets:
            name = spec.sheet if isinstance(spec, ProfileSpec) else spec.name
            for alias in (name, *spec.aliases):
                wanted.setdefault(_sheet_key(alias), spec)

        tables: dict[str, Table] = {}
        profile: dict[str, ProfileEntry] = {}
        profile_sheet: str | None = None
        seen: set[str] = set()
        template_sheets = {_sheet_key(self.spec.template.instructions_sheet), _sheet_key(self.spec.template.options_sheet)}
        try:
            names = list(workbook.sheet_names)
            for sheet_name in names:
                spec = wanted.get(_sheet_key(sheet_name))
                if spec is None:
                    if _sheet_key(sheet_name) not in template_sheets:  # `fireaudit template`'s own sheets
                        notes.append(Note("ignored-sheet", sheet_name))
                    continue
                canonical = spec.sheet if isinstance(spec, ProfileSpec) else spec.name
                if canonical in seen:
                    notes.append(Note("duplicate-sheet", sheet_name, canonical))
                    continue
                seen.add(canonical)
                scan = scanned.sheets.get(sheet_name)
                if scan is not None:
                    if scan.cells > self.limits.max_sheet_cells:
                        errors.append(RegisterError("sheet-too-large", sheet_name, "A1", str(scan.cells),
                                                    str(self.limits.max_sheet_cells)))
                        continue
                    errors.extend(RegisterError("formula-no-value", sheet_name, cell, "=" + formula)
                                  for cell, formula in scan.formulas_without_value)
                    errors.extend(RegisterError("error-cell", sheet_name, cell, value)
                                  for cell, value in scan.error_cells)
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = sheet_rows(sheet)
                if isinstance(spec, ProfileSpec):
                    profile_sheet = sheet_name
                    profile = self._read_profile(sheet_name, rows, spec, errors, notes)
                else:
                    tables[spec.name] = self._read_table(sheet_name, _filled(sheet, rows), spec, errors, notes)
        except InputError:
            raise
        except Exception as exc:  # calamine raises plain exceptions on corrupt sheets
            raise InputError(str(path), f"cannot read the workbook: {_reason(exc)}") from None
        finally:
            workbook.close()

        for spec in sheets:
            if spec.name not in tables:
                notes.append(Note("missing-sheet", spec.name))
        if not county:
            self._require_profile_keys(profile, profile_sheet, errors)
        return Register(str(path), profile_sheet, profile, tables, errors, notes, tuple(names))

    # -- the profile sheet: key | value rows ------------------------------
    def _read_profile(self, sheet: str, rows: Iterable[list[Any]], spec: ProfileSpec,
                      errors: list[RegisterError], notes: list[Note]) -> dict[str, ProfileEntry]:
        lookup = self._lookup("\0profile", spec.keys)
        profile: dict[str, ProfileEntry] = {}
        ignored: list[str] = []
        for r, row in enumerate(rows):
            c = next((i for i, v in enumerate(row) if not is_blank(v)), None)
            if c is None:
                continue
            key_text = raw_text(row[c])
            raw = row[c + 1] if c + 1 < len(row) else None
            match = lookup.match(key_text)
            if isinstance(match, str):
                errors.append(RegisterError("bad-unit", sheet, a1(r, c), key_text, match.split(":", 1)[1]))
                continue
            if match is None:
                if not is_blank(raw) and norm(key_text) not in _PROFILE_HEADER_WORDS:
                    ignored.append(clean(key_text))
                continue
            if match.spec.name in profile:
                continue
            evidence = Evidence(sheet, a1(r, c + 1), column=match.spec.name)
            value, problem = self.parsers.for_column(match.spec, match.unit_factor)(raw)
            if problem:
                errors.append(RegisterError(problem.code, sheet, evidence.cell or "", raw_text(raw), problem.expected))
            profile[match.spec.name] = ProfileEntry(value, evidence)
            if match.unit is None and match.spec.dimension and self.spec.dimensions[match.spec.dimension].canonical:
                notes.append(Note("unit-assumed", sheet, f"{match.spec.name}: {self.spec.dimensions[match.spec.dimension].canonical}"))
        if ignored:
            notes.append(Note("ignored-keys", sheet, "、".join(ignored)))
        return profile

    def _require_profile_keys(self, profile: dict[str, ProfileEntry], sheet: str | None,
                              errors: list[RegisterError]) -> None:
        for key in self.spec.profile.keys:
            if not key.required:
                continue
            entry = profile.get(key.name)
            if entry is None:
                errors.append(RegisterError("missing-key", sheet or self.spec.profile.sheet, "", "", key.name))
            elif entry.value is None and not any(e.cell == entry.evidence.cell and e.sheet == entry.evidence.sheet for e in errors):
                errors.append(RegisterError("missing-value", entry.evidence.sheet, entry.evidence.cell or "", "", key.name))

    # -- a table sheet ------------------------------------------------------
    def _read_table(self, sheet: str, rows: Iterable[list[Any]], spec: SheetSpec, errors: list[RegisterError],
                    notes: list[Note]) -> Table:
        flagged = {e.cell for e in errors if e.sheet == sheet}   # cells the preflight already reported
        lookup = self._lookup(spec.name, spec.columns)
        iterator = iter(rows)
        header_index, matches, ignored = -1, {}, []
        for r in range(self.settings.header_search_rows):
            row = next(iterator, None)
            if row is None:
                break
            found, unknown = self._match_header(sheet, r, row, lookup, errors)
            if len(found) >= min(self.settings.header_min_matches, len(spec.columns)):
                header_index, matches, ignored = r, found, unknown
                break
        if header_index < 0:
            notes.append(Note("no-header", sheet, spec.name))
            missing = tuple(c.name for c in spec.columns if c.type != "ignore")
            return Table(spec.name, sheet, 0, {}, missing_columns=missing)

        column_index = {m.spec.name: c for c, m in matches.items()}
        missing = tuple(c.name for c in spec.columns if c.type != "ignore" and c.name not in column_index)
        required_missing = [c.name for c in spec.columns if c.required and c.name not in column_index]
        if required_missing:
            notes.append(Note("missing-columns", sheet, "、".join(required_missing)))
        if ignored:
            notes.append(Note("ignored-columns", sheet, "、".join(ignored)))
        for c, m in matches.items():
            dimension = self.spec.dimensions.get(m.spec.dimension or "")
            if m.unit is None and dimension and dimension.canonical:
                notes.append(Note("unit-assumed", sheet, f"{m.spec.name}: {dimension.canonical}"))

        table = Table(spec.name, sheet, header_index, column_index, missing_columns=missing)
        used = [(c, m.spec, self.parsers.for_column(m.spec, m.unit_factor)) for c, m in sorted(matches.items())
                if m.spec.type != "ignore"]
        used_columns = [c for c, _, _ in used]
        used_cells = itemgetter(*used_columns) if len(used_columns) > 1 else (lambda row: (row[used_columns[0]],))
        reach = max(used_columns, default=0)
        row_index = table.row_index
        kept: list[list[Any]] = []
        skip = tuple(norm(p) for p in self.settings.skip_row_prefixes)
        end = tuple(norm(p) for p in self.settings.end_row_prefixes)
        marks = {p[:1] for p in skip + end}          # first characters worth normalising a row for
        for r, row in enumerate(iterator, start=header_index + 1):
            first = _first_filled(row)
            if first is None:
                continue
            if first.__class__ is str and norm(first[:2])[:1] in marks:
                key = norm(first)
                if key.startswith(end) and sum(1 for v in row if not is_blank(v)) <= 2:
                    break
                if key.startswith(skip):
                    continue
            if len(row) <= reach:
                row = row + [""] * (reach + 1 - len(row))
            filled = set(used_cells(row))
            filled.difference_update(_BLANKS)
            for value in filled:
                if value.__class__ is not str or value.strip():
                    break
            else:
                continue  # nothing in the columns read, e.g. only a pre-filled 序号
            row_index.append(r)
            kept.append(row)

        values: dict[str, list[Any]] = {}
        first_error = len(errors)
        for c, column, parser in used:   # column by column: each distinct value parsed once
            raws = list(map(itemgetter(c), kept))
            parsed, problems = parser.column(raws)
            for position, problem in problems:
                errors.append(RegisterError(problem.code, sheet, a1(row_index[position], c), raw_text(raws[position]),
                                            problem.expected))
            if column.required:
                bad = {position for position, _ in problems}
                for position, value in enumerate(parsed):
                    if value is None and position not in bad and a1(row_index[position], c) not in flagged:
                        errors.append(RegisterError("missing-value", sheet, a1(row_index[position], c), "", column.name))
            values[column.name] = parsed
        errors[first_error:] = sorted(errors[first_error:], key=_error_order)   # reading order within the sheet
        table.values = values
        return table

    def _match_header(self, sheet: str, r: int, row: list[Any], lookup: _Lookup,
                      errors: list[RegisterError]) -> tuple[dict[int, HeaderMatch], list[str]]:
        found: dict[int, HeaderMatch] = {}
        unknown: list[str] = []
        seen: set[str] = set()
        bad_units: list[RegisterError] = []
        for c, value in enumerate(row):
            if is_blank(value) or not isinstance(value, str):
                continue
            match = lookup.match(value)
            if isinstance(match, str):
                bad_units.append(RegisterError("bad-unit", sheet, a1(r, c), clean(value), match.split(":", 1)[1]))
            elif match is None:
                unknown.append(clean(value))
            elif match.spec.name not in seen:
                seen.add(match.spec.name)
                found[c] = match
        if len(found) >= self.settings.header_min_matches:
            errors.extend(bad_units)
        return found, unknown


_BLANKS = {"", None}


def _first_filled(row: list[Any]) -> Any:
    """The first non-blank cell of a row, or None."""
    for value in row:
        if value != "" and value is not None and not (value.__class__ is str and not value.strip()):
            return value
    return None


def _error_order(error: RegisterError) -> tuple:
    """Register errors in reading order: sheet as found, then row, then column."""
    match = re.match(r"([A-Z]+)(\d+)$", error.cell or "")
    if not match:
        return (0, 0, "")
    letters, row = match.groups()
    return (int(row), len(letters), letters)


def open_workbook(path: Path, data: bytes | None = None):
    """Open with calamine (from `data` when given); anything it cannot open is an InputError (exit 3)."""
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError(str(path), f"not a workbook (expected {', '.join(WORKBOOK_SUFFIXES[:4])})")
    try:
        if data is not None:
            import io

            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputError(str(path), f"not a readable workbook: {_reason(exc)}") from None


def sheet_rows(sheet) -> Iterable[list[Any]]:
    """Rows from A1, whatever the sheet's used range (calamine starts columns at the range)."""
    start = sheet.start
    offset = [""] * start[1] if start and start[1] else []
    if not offset:
        return sheet.iter_rows()
    return (offset + row for row in sheet.iter_rows())


class _MergeFill:
    """Gives cells covered by a merged range the range's value, as Excel displays them.

    Rows arrive in order and a range's value sits in its top-left cell, so the
    value is picked up as that row passes: the sheet is read once, and a merge
    over a million cells costs one entry, not one per cell."""

    def __init__(self, ranges: list[tuple[tuple[int, int], tuple[int, int]]]):
        self.pending = sorted(((sr, sc, er, ec) for (sr, sc), (er, ec) in ranges), reverse=True)
        self.active: list[tuple[int, int, int, int, Any]] = []   # (first row, last row, first col, last col, value)

    def __call__(self, r: int, row: list[Any]) -> list[Any]:
        while self.pending and self.pending[-1][0] <= r:
            sr, sc, er, ec = self.pending.pop()
            value = row[sc] if sr == r and sc < len(row) else ""
            self.active.append((sr, er, sc, ec, value))
        self.active = [a for a in self.active if a[1] >= r]
        for sr, _, sc, ec, value in self.active:
            for c in range(sc + (sr == r), min(ec, len(row) - 1) + 1):
                row[c] = value
        return row


def _filled(sheet, rows: Iterable[list[Any]]) -> Iterable[list[Any]]:
    """`rows` with merged ranges filled in (unchanged when the sheet has none)."""
    ranges = getattr(sheet, "merged_cell_ranges", None) or []
    if not ranges:
        return rows
    fill = _MergeFill(ranges)
    return (fill(r, row) for r, row in enumerate(rows))


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
