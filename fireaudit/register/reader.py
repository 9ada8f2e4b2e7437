"""Read a township workbook (.xlsx/.xlsm/.xls/.ods) into a Register, with python-calamine.

Tolerates what real submissions look like (REGISTER.md, REAL-FORMS.md): title
rows above the header, merged cells, aliases for sheets and columns, units in
headers and values, 合计 rows, 填表说明 blocks and signature lines, numbered tabs,
grid profiles, two-row headers, two sheets for one topic (read together). The
period, county, township and kind come from the profile, else from title rows
or the file name, and a note says which. A value it cannot understand becomes a
RegisterError at its exact cell and an Unparsed mark on the table (never just an
empty cell); the rest of the workbook is still read. The input file is only
ever opened for reading."""

from __future__ import annotations

import difflib
import re
from datetime import date
from dataclasses import dataclass, replace
from itertools import chain, compress, islice, repeat
from operator import is_, itemgetter, not_
from pathlib import Path
from typing import Any, Iterable

from fireaudit.checklist import Checklist
from fireaudit.checklist.models import ColumnSpec, ProfileSpec, RegisterSpec, SheetSpec
from fireaudit.errors import InputError
from fireaudit.lazy_re import LazyPattern
from fireaudit.period import Period
from fireaudit.register import codes
from fireaudit.register.model import (Evidence, MonthDate, Note, ProfileEntry, Register, RegisterError, Table, Unparsed,
                                      a1, build_rows, collector_paused, column_letter)
from fireaudit.register.preflight import Preflight, check_file, limits_of
from fireaudit.register.values import ColumnParser, ValueParsers, is_blank, raw_text
from fireaudit.textnorm import clean, norm

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
_SHEET_NUMBERING = re.compile(r"^(?:表|附表)?[(（]?[0-9一二三四五六七八九十]+[.、．:：\-_)）]*")
_TRAILING_PARENS = re.compile(r"^(.*?)\(([^()]*)\)$")
_PROFILE_HEADER_WORDS = {norm(w) for w in ("项目", "填报内容", "内容", "备注", "序号", "填写说明", "情况", "基本情况")}
# county and township named in a title row or a file name: `伊宁市潘津镇…`, `察布查尔锡伯自治县…`
_COUNTY = LazyPattern(r"([\u4e00-\u9fff]{1,10}?(?:自治县|县|市))")
_TOWNSHIP = LazyPattern(r"([\u4e00-\u9fff]{1,10}?(?:民族乡|乡|镇|街道))")
_NOT_A_PLACE = ("乡镇", "各乡", "全乡", "全镇", "本乡", "本镇", "城乡", "县市", "全县", "全市", "本县", "本市",
                "城市", "消防", "年", "季度", "填报", "单位")
_PROFILE_CELLS_PER_ROW = 16   # a grid profile has a few key | value pairs a row; more is not a profile row
_IDENTITY = {"报告期": "period", "县市": "county", "乡镇街道": "township"}
_LABEL = LazyPattern(r"^(?:填报单位|单位名称|报送单位|单位)[:：]?")


@dataclass(frozen=True)
class HeaderMatch:
    spec: ColumnSpec
    unit_factor: float | None    # header unit -> canonical unit; None when the header names no unit
    unit: str | None


@dataclass(frozen=True)
class BadUnit:
    """A known column whose header names a unit the register cannot convert (a register error at the header)."""

    unit: str


class _Lookup:
    """Normalised names and aliases of one sheet's columns (or the profile's keys)."""

    def __init__(self, columns: Iterable[ColumnSpec], spec: RegisterSpec):
        self.by_name: dict[str, ColumnSpec] = {}
        for column in columns:
            for name in (column.name, *column.aliases):
                self.by_name.setdefault(norm(name), column)
        self.register = spec
        self.marker = norm(spec.reader.required_marker)

    def match(self, text: str) -> HeaderMatch | BadUnit | None:
        """A HeaderMatch, None for an unknown header, or a BadUnit for a unit we cannot convert."""
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
            return BadUnit(unit)
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
    def read(self, path: str | Path, *, county: bool = False, data: bytes | None = None,
             ahead: tuple[Preflight, Any] | None = None) -> Register:
        """Read a township register (or, with county=True, a county register).

        `data`, when given, is the file's content already in memory: calamine
        parses exactly those bytes (the ones the caller hashed for provenance).
        `ahead`: the guard's verdict on those bytes, taken elsewhere, and the workbook
        opened from them with some sheets loaded already (fireaudit/speculative.py).

        The cyclic garbage collector is paused meanwhile: reading creates no cycles, and a
        100,000-row sheet (its rows, then one error, cell and evidence object per cell not
        understood) would otherwise make it walk every object again and again;
        so many objects left behind are then frozen (model.collector_paused)."""
        with collector_paused():
            return self._read(Path(path), county, data, ahead)

    def _wanted(self, county: bool) -> dict[str, SheetSpec | ProfileSpec]:
        """Sheet key -> the spec of the sheet that name (or an alias) stands for."""
        wanted: dict[str, SheetSpec | ProfileSpec] = {}
        for spec in ([] if county else [self.spec.profile]) + list(self.spec.county_sheets if county else self.spec.sheets):
            name = spec.sheet if isinstance(spec, ProfileSpec) else spec.name
            for alias in (name, *spec.aliases):
                wanted.setdefault(_sheet_key(alias), spec)
        return wanted

    def named_sheets(self, names: Iterable[str]) -> list[str]:
        """The sheets of a township register that _read opens for their name alone (a known name,
        an alias, or one after a qualifier), whatever is in them: the ones worth loading ahead."""
        wanted, least = self._wanted(False), self.settings.qualified_sheet_min_length
        return [n for n in names if _sheet_key(n) in wanted or least and _qualified(n, wanted, least) is not None]

    def _read(self, path: Path, county: bool, data: bytes | None, ahead: tuple[Preflight, Any] | None) -> Register:
        scanned, workbook = ahead if ahead is not None else (check_file(path, self.limits, data), open_workbook(path, data))
        errors: list[RegisterError] = []
        notes: list[Note] = []
        sheets: list[SheetSpec] = list(self.spec.county_sheets if county else self.spec.sheets)
        wanted = self._wanted(county)

        parts: dict[str, list[Table]] = {}
        profile: dict[str, ProfileEntry] = {}
        profile_sheet: str | None = None
        titles: list[tuple[str, str, str]] = []      # (sheet, cell, text) of title rows, for period and place
        unrecognised: list[str] = []
        heads: dict[str, list[list[Any]]] = {}      # first rows of unrecognised sheets, to tell what they resemble
        template_sheets = {_sheet_key(self.spec.template.instructions_sheet), _sheet_key(self.spec.template.options_sheet)}
        try:
            names = list(workbook.sheet_names)
            for sheet_name in names:
                spec = wanted.get(_sheet_key(sheet_name))
                if spec is None and self.settings.qualified_sheet_min_length:
                    known = _qualified(sheet_name, wanted, self.settings.qualified_sheet_min_length)
                    if known is not None:
                        spec = wanted[known]
                        notes.append(Note("qualified-sheet", sheet_name,
                                          spec.sheet if isinstance(spec, ProfileSpec) else spec.name))
                if spec is None and _sheet_key(sheet_name) not in template_sheets and self._read_blocks(
                        workbook, sheet_name, scanned, wanted, parts, profile, errors, notes, titles):
                    profile_sheet = profile_sheet or (sheet_name if profile else None)
                    continue
                if spec is None:
                    if _sheet_key(sheet_name) not in template_sheets:  # `fireaudit template`'s own sheets
                        unrecognised.append(sheet_name)
                        scan = scanned.sheets.get(sheet_name)
                        if (_name_resemblance(sheet_name, wanted) is None and scan is not None
                                and scan.cells <= _PEEK_MAX_CELLS):   # small enough to open and look at its header
                            sheet = workbook.get_sheet_by_name(sheet_name)
                            heads[sheet_name] = list(islice(_filled(sheet, sheet_rows(sheet)), self.settings.header_search_rows))
                    continue
                scan = scanned.sheets.get(sheet_name)
                if scan is not None:
                    if scan.cells > self.limits.max_sheet_cells:
                        errors.append(RegisterError(codes.SHEET_TOO_LARGE, sheet_name, "A1", str(scan.cells),
                                                    str(self.limits.max_sheet_cells)))
                        continue
                    errors.extend(RegisterError(codes.FORMULA_NO_VALUE, sheet_name, cell, "=" + formula)
                                  for cell, formula in scan.formulas_without_value)
                    errors.extend(RegisterError(codes.ERROR_CELL, sheet_name, cell, value)
                                  for cell, value in scan.error_cells)
                sheet = workbook.get_sheet_by_name(sheet_name)
                rows = _filled(sheet, _grid(sheet))
                del sheet                     # calamine's copy of the cells is not needed once they are rows
                if isinstance(spec, ProfileSpec):
                    if profile_sheet is None:
                        profile_sheet = sheet_name
                    else:
                        notes.append(Note("combined-sheets", spec.sheet, f"{profile_sheet}、{sheet_name}"))
                    for key, entry in self._read_profile(sheet_name, rows, spec, errors, notes, titles).items():
                        profile.setdefault(key, entry)
                else:
                    parts.setdefault(spec.name, []).append(
                        self._read_table(sheet_name, rows, spec, errors, notes, titles))
        except InputError:
            raise
        except Exception as exc:  # calamine raises plain exceptions on corrupt sheets
            raise InputError(str(path), "cannot-read", detail=_reason(exc)) from None
        finally:
            workbook.close()

        tables = {name: _combine(tables, notes) for name, tables in parts.items()}
        resembling = self._resemblances(unrecognised, wanted, heads, sheets)
        for sheet_name in unrecognised:
            if sheet_name in resembling:
                notes.append(Note("unrecognised-sheet", sheet_name, resembling[sheet_name]))
            else:
                notes.append(Note("ignored-sheet", sheet_name))
        for spec in sheets:
            if spec.name not in tables:
                like = next((n for n, c in resembling.items() if c == spec.name), None)
                notes.append(Note("missing-sheet-resembling", spec.name, like) if like else Note("missing-sheet", spec.name))
        search: tuple[str, ...] = ()
        if not county:
            if profile_sheet is None and resembling and self.spec.profile.sheet in resembling.values():
                pass  # said by the unrecognised-sheet note
            search = self._fill_identity(path, profile, profile_sheet, titles, notes)
            search = self._apply_defaults(profile, profile_sheet, notes, search)
            self._require_profile_keys(profile, profile_sheet, errors)
            self._row_readings(tables, profile, errors, notes)
        mapped = _mapped_cells(tables, profile)
        if mapped:
            shown = [f"{ref}（{what}）" for ref, what in islice(mapped.items(), _MAPPED_SHOWN)]
            notes.append(Note("mapping.values", "", "、".join(shown) + ("…" if len(mapped) > _MAPPED_SHOWN else "")))
        return Register(str(path), profile_sheet, profile, tables, errors, notes, tuple(names),
                        unrecognised=resembling, period_search=search, mapped_cells=mapped,
                        formula_free=scanned.plain_parts)

    def _read_blocks(self, workbook, sheet_name: str, scanned, wanted: dict[str, SheetSpec | ProfileSpec],
                     parts: dict[str, list[Table]], profile: dict[str, ProfileEntry], errors: list[RegisterError],
                     notes: list[Note], titles: list[tuple[str, str, str]]) -> bool:
        """A one-sheet register (the Word document pasted into one sheet): split at the block headings
        the county mapped (`一、消防安全责任人` → 责任人) and read each block as its sheet. Without a
        mapping, numbered headings (`二、消防安全责任人`) that name known register sheets split it when at
        least `auto_block_headings` of them do. False when the sheet holds neither."""
        scan = scanned.sheets.get(sheet_name)
        if scan is not None and (scan.cells > self.limits.max_sheet_cells or scan.cells > _BLOCKS_MAX_CELLS):
            return False
        mapped = {norm(h): target for h, target in self.spec.blocks.items()}
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = list(_filled(sheet, _grid(sheet)))
        del sheet
        starts: list[tuple[int, str]] = []
        known: list[tuple[int, str]] = []
        other: list[tuple[int, str]] = []     # numbered headings naming no register sheet: a block not read
        for r, row in enumerate(rows):
            filled = {raw_text(v) for v in row if not is_blank(v)}
            if len(filled) == 1:
                text = next(iter(filled))
                target = mapped.get(norm(text))
                if target is not None:
                    starts.append((r, target))
                elif _BLOCK_HEADING.match(clean(text)) and len(clean(text)) <= _BLOCK_HEADING_MAX:
                    spec = wanted.get(_sheet_key(text))
                    if spec is not None:
                        known.append((r, spec.sheet if isinstance(spec, ProfileSpec) else spec.name))
                    else:
                        other.append((r, clean(text)))
        by_mapping = bool(starts)
        if starts:      # the county mapped some headings; a heading naming a register sheet is read too
            taken = {r for r, _ in starts}
            starts = sorted(starts + [(r, t) for r, t in known if r not in taken])
        else:
            targets = [t for _, t in known]
            if not self.settings.auto_block_headings or len(set(targets)) < self.settings.auto_block_headings:
                return False    # a single heading may be a table's own title: not clearly a one-sheet register
            starts = known
            notes.append(Note("blocks-read", sheet_name, "、".join(f"{a1(r, 0)}→{target}" for r, target in starts)))
        mapped_rows = {r for r, _ in starts}
        skipped = [(r, text) for r, text in other if r not in mapped_rows]
        for r, text in skipped:
            notes.append(Note("unrecognised-block", sheet_name, f"{a1(r, 0)}：{text}"))
        ends = sorted({r for r, _ in starts} | {r for r, _ in skipped})
        for r, row in enumerate(rows[:starts[0][0]]):   # the title above the first block: period and place
            texts = list(dict.fromkeys(raw_text(v) for v in row if isinstance(v, str) and v.strip()))
            if texts:
                titles.append((sheet_name, a1(r, next(c for c, v in enumerate(row) if isinstance(v, str) and v.strip())),
                               "".join(texts)))
        if scan is not None:
            errors.extend(RegisterError(codes.FORMULA_NO_VALUE, sheet_name, cell, "=" + formula)
                          for cell, formula in scan.formulas_without_value)
            errors.extend(RegisterError(codes.ERROR_CELL, sheet_name, cell, value) for cell, value in scan.error_cells)
        specs = {s.name: s for s in self.spec.sheets}
        for r, target in starts:
            end = next((e for e in ends if e > r), len(rows))    # a block ends at the next heading, read or not
            if target == self.spec.profile.sheet:
                block = [[] for _ in range(r + 1)] + rows[r + 1:end]    # keeps the cells' own rows
                for key, entry in self._read_profile(sheet_name, block, self.spec.profile, errors, notes, titles).items():
                    profile.setdefault(key, entry)
            elif target in specs:
                parts.setdefault(target, []).append(
                    self._read_table(sheet_name, rows[r + 1:end], specs[target], errors, notes, titles, offset=r + 1))
        if by_mapping:
            notes.append(Note("mapping.blocks", sheet_name, "、".join(f"{a1(r, 0)}→{target}" for r, target in starts)))
        return True

    def _apply_defaults(self, profile: dict[str, ProfileEntry], profile_sheet: str | None, notes: list[Note],
                        search: tuple[str, ...]) -> tuple[str, ...]:
        """类型 / 报告期 from the county's defaults where neither the form, its titles nor its file name say."""
        for key, value in self.spec.defaults.items():
            entry = profile.get(key)
            if entry is not None and (entry.value is not None or entry.unparsed is not None):
                continue
            column = next((c for c in self.spec.profile.keys if c.name == key), None)
            if column is None:
                continue
            parsed, problem = self.parsers.for_column(column)(value)
            if problem is not None or parsed is None:
                continue
            where = Evidence(Path(self.spec.mapping_file or "fireaudit.toml").name, column=key)
            profile[key] = ProfileEntry(parsed, where, None, "mapped")
            notes.append(Note("mapping.default", where.sheet, f"{key}：{value}"))
            if key == "报告期":
                notes[:] = [n for n in notes if n.code != "no-period"]
                search = ()
        return search

    def _resemblances(self, unrecognised: list[str], wanted: dict[str, SheetSpec | ProfileSpec],
                      heads: dict[str, list[list[Any]]], sheets: list[SheetSpec]) -> dict[str, str]:
        """Each unrecognised sheet -> the register sheet it most resembles: by name (difflib, or a
        contained name), else by a header row naming at least three of that sheet's columns."""
        out: dict[str, str] = {}
        for name in unrecognised:
            best = _name_resemblance(name, wanted)
            if best is not None:
                spec = wanted[best]
                out[name] = spec.sheet if isinstance(spec, ProfileSpec) else spec.name
                continue
            scores = []
            for spec in sheets:
                lookup = self._lookup(spec.name, spec.columns)
                for row in heads.get(name, []):
                    names = {m.spec.name for v in row if isinstance(v, str) and v.strip()
                             for m in (lookup.match(v),) if isinstance(m, HeaderMatch) and m.spec.type != "ignore"}
                    scores.append((len(names), spec.name))
            top = max(scores, default=(0, ""))
            if top[0] >= 3:
                out[name] = top[1]
        return out

    # -- where the period, the place and the kind come from --------------------
    def _fill_identity(self, path: Path, profile: dict[str, ProfileEntry], profile_sheet: str | None,
                       titles: list[tuple[str, str, str]], notes: list[Note]) -> tuple[str, ...]:
        """报告期, 县市, 乡镇街道 and 类型 from title rows or the file name when the profile lacks them.

        Returns the places looked for the period when none holds it (for the exit-3 message)."""
        sheet = profile_sheet or self.spec.profile.sheet
        file_name = path.name
        sources = [(s, cell, text) for s, cell, text in titles] + [("", "", path.stem)]

        def absent(key: str) -> bool:
            entry = profile.get(key)
            return entry is None or entry.value is None

        def put(key: str, value: Any, where: tuple[str, str, str]) -> None:
            s, cell, _ = where
            evidence = Evidence(s, cell or None, column=key) if s else Evidence(file_name, column=key)
            source = "title" if s else "file-name"
            profile[key] = ProfileEntry(value, evidence, None, source)   # a cell not understood stays a register error
            shown = value if isinstance(value, str) else str(value)
            notes.append(Note(f"{_IDENTITY[key]}-from-{source}", s or file_name, f"{shown}（{cell or file_name}）" if s else shown))

        search: tuple[str, ...] = ()
        if absent("报告期"):
            found = [(Period.find(text), where) for where in sources for text in (where[2],)]
            found = [(p, w) for p, w in found if p is not None]
            if found and len({p for p, _ in found}) == 1:
                put("报告期", found[0][0], found[0][1])
            else:
                search = ("profile", "titles", "file-name")
                notes.append(Note("no-period", sheet, "、".join(str(p) for p in sorted({p for p, _ in found}))))
        for key, pattern in (("县市", _COUNTY), ("乡镇街道", _TOWNSHIP)):
            if absent(key):
                found = [(name, where) for where in sources if (name := _place(where[2], pattern, key, profile))]
                if found and len({n for n, _ in found}) == 1:
                    put(key, found[0][0], found[0][1])
        township = profile.get("乡镇街道")
        if absent("类型") and township is not None and isinstance(township.value, str):
            kind = self._kind_of(township.value)
            if kind is not None:
                written = profile.get("类型")
                profile["类型"] = ProfileEntry(kind, township.evidence, None, "name")
                if written is not None and written.unparsed is not None:   # filled but not understood: never "未填"
                    notes.append(Note("kind-from-name-unread", written.unparsed.raw, f"{kind}（{township.value}）"))
                else:
                    notes.append(Note("kind-from-name", township.evidence.sheet, f"{kind}（{township.value}）"))
        return search

    def _kind_of(self, name: str) -> str | None:
        """乡/镇/街道 from the end of the township's name (`潘津镇` → 镇, `…街道办事处` → 街道)."""
        lookup = self.parsers.vocab_lookup.get("单位类型", {})
        key = norm(name)
        for word in sorted(lookup, key=len, reverse=True):
            if key.endswith(word) and len(key) > len(word):
                return lookup[word]
        return None

    # -- the profile sheet: key | value rows ------------------------------
    def _read_profile(self, sheet: str, rows: Iterable[list[Any]], spec: ProfileSpec,
                      errors: list[RegisterError], notes: list[Note],
                      titles: list[tuple[str, str, str]]) -> dict[str, ProfileEntry]:
        """Key | value pairs anywhere on a row: after a 序号, in a grid (`key | value | key | value`),
        keys in merged cells (the merge's copies of the key are skipped)."""
        lookup = self._lookup("\0profile", spec.keys)
        if spec.layout == "columns":
            return self._read_profile_columns(sheet, rows, lookup, errors, notes, titles)
        profile: dict[str, ProfileEntry] = {}
        ignored: list[str] = []
        for r, row in enumerate(rows):
            filled = [c for c, v in enumerate(row) if not is_blank(v)]
            if not filled:
                continue
            if (len(set(raw_text(row[c]) for c in filled)) == 1 and isinstance(row[filled[0]], str) and not profile
                    and lookup.match(raw_text(row[filled[0]])) is None):
                titles.append((sheet, a1(r, filled[0]), raw_text(row[filled[0]])))   # a title row above the keys
                continue
            c = filled[0]
            first_text = next((i for i in filled if isinstance(row[i], str)), -1)
            limit = filled[_PROFILE_CELLS_PER_ROW] if len(filled) > _PROFILE_CELLS_PER_ROW else len(row)
            while c < limit:
                value = row[c]
                if is_blank(value) or not isinstance(value, str):
                    c += 1
                    continue
                key_text = raw_text(value)
                v = c + 1
                while v < len(row) and not is_blank(row[v]) and raw_text(row[v]) == key_text:
                    v += 1       # the key's merged range
                raw = row[v] if v < len(row) else None
                match = lookup.match(key_text)
                if isinstance(match, BadUnit):
                    errors.append(RegisterError(codes.BAD_UNIT, sheet, a1(r, c), key_text, match.unit))
                    c = v + 1
                    continue
                if match is None:
                    if norm(key_text) in _PROFILE_HEADER_WORDS or is_blank(raw):
                        c = v
                        continue
                    if isinstance(raw, str) and not isinstance(lookup.match(raw), type(None)):
                        c = v     # an unknown label next to a known key: the key starts there
                        continue
                    if c == first_text:
                        ignored.append(clean(key_text))
                    if c == first_text and len(filled) <= 2 and not profile:
                        titles.append((sheet, a1(r, c), f"{key_text}{raw_text(raw)}"))   # 填报单位：潘津镇
                    c = v + 1
                    continue
                c = v + 1
                if match.spec.name in profile:
                    continue
                profile[match.spec.name] = self._profile_entry(sheet, a1(r, v), match, raw, errors)
                if match.unit is None and match.spec.dimension and self.spec.dimensions[match.spec.dimension].canonical:
                    notes.append(Note("unit-assumed", sheet, f"{match.spec.name}: {self.spec.dimensions[match.spec.dimension].canonical}"))
        if ignored:
            notes.append(Note("ignored-keys", sheet, "、".join(ignored)))
        return profile

    def _read_profile_columns(self, sheet: str, rows: Iterable[list[Any]], lookup: _Lookup,
                              errors: list[RegisterError], notes: list[Note],
                              titles: list[tuple[str, str, str]]) -> dict[str, ProfileEntry]:
        """A profile laid out as a one-record table (a county's `layout = "columns"`): the keys across
        one row, each value in the cell under its key."""
        head = list(islice(rows, self.settings.header_search_rows + 1))
        scored = [(sum(1 for v in row if isinstance(v, str) and isinstance(lookup.match(v), HeaderMatch)), r)
                  for r, row in enumerate(head[:-1] if len(head) > 1 else head)]
        best, r = max(scored, key=lambda s: (s[0], -s[1]), default=(0, -1))
        profile: dict[str, ProfileEntry] = {}
        if best == 0 or r + 1 >= len(head):
            notes.append(Note("no-header", sheet, self.spec.profile.sheet))
            return profile
        for earlier in range(r):
            texts = [raw_text(v) for v in head[earlier] if isinstance(v, str) and v.strip()]
            if texts:
                titles.append((sheet, a1(earlier, 0), "".join(dict.fromkeys(texts))))
        values = head[r + 1]
        for c, key in enumerate(head[r]):
            match = lookup.match(key) if isinstance(key, str) else None
            if not isinstance(match, HeaderMatch) or match.spec.name in profile:
                continue
            raw = values[c] if c < len(values) else None
            profile[match.spec.name] = self._profile_entry(sheet, a1(r + 1, c), match, raw, errors)
        return profile

    def _profile_entry(self, sheet: str, cell: str, match: "HeaderMatch", raw: Any,
                       errors: list[RegisterError]) -> ProfileEntry:
        """One profile value, parsed; one not understood is a register error and keeps its raw text."""
        evidence = Evidence(sheet, cell, column=match.spec.name)
        parsed, problem = self.parsers.for_column(match.spec, match.unit_factor)(raw)
        unparsed = None
        if problem:
            errors.append(RegisterError(problem.code, sheet, cell, raw_text(raw), problem.expected, problem.nearest))
            unparsed = Unparsed(raw_text(raw), problem.code, problem.expected, evidence, problem.nearest)
        return ProfileEntry(parsed, evidence, unparsed, _mapped_source(match.spec, raw, unparsed))

    def _require_profile_keys(self, profile: dict[str, ProfileEntry], sheet: str | None,
                              errors: list[RegisterError]) -> None:
        for key in self.spec.profile.keys:
            if not key.required:
                continue
            entry = profile.get(key.name)
            if entry is None:
                errors.append(RegisterError(codes.MISSING_KEY, sheet or self.spec.profile.sheet, "", "", key.name))
            elif entry.value is None and not any(e.cell == entry.evidence.cell and e.sheet == entry.evidence.sheet for e in errors):
                errors.append(RegisterError(codes.MISSING_VALUE, entry.evidence.sheet, entry.evidence.cell or "", "", key.name))

    # -- a table sheet ------------------------------------------------------
    def _read_table(self, sheet: str, rows: Iterable[list[Any]], spec: SheetSpec, errors: list[RegisterError],
                    notes: list[Note], titles: list[tuple[str, str, str]] | None = None, offset: int = 0) -> Table:
        """`offset`: the sheet row of rows[0] (a block of a one-sheet register starts below its heading)."""
        before = len(errors)          # the errors already said for this sheet's cells (the preflight's) are not repeated
        lookup = self._lookup(spec.name, spec.columns)
        iterator = iter(rows)
        hint = spec.header_row - 1 - offset if spec.header_row is not None and not offset else None
        head = list(islice(iterator, max(self.settings.header_search_rows, (hint or 0) + 1) + 1))
        header_index, matches, ignored = -1, {}, []
        for r in _header_candidates(len(head), self.settings.header_search_rows, hint):
            found, unknown = self._match_header(sheet, offset + r, head[r], lookup, errors)
            if len(found) >= (1 if hint is not None else min(self.settings.header_min_matches, len(spec.columns))):
                header_index, matches, ignored = r, found, unknown
                sub = self._sub_header(head[r], head[r + 1], found, lookup) if r + 1 < len(head) else {}
                if sub:   # `参保情况` over `养老 | 失业 | 工伤 | 意外`: the second row completes the names
                    groups = {clean(raw_text(head[r][c])) for c in sub}
                    header_index, matches = r + 1, {**found, **sub}
                    ignored = [u for u in unknown if u not in groups]
                break
        if titles is not None:
            for r, row in enumerate(head[:max(header_index, 0) if header_index >= 0 else 3]):
                texts = list(dict.fromkeys(raw_text(v) for v in row if isinstance(v, str) and v.strip()))
                if texts:
                    titles.append((sheet, a1(offset + r, next(c for c, v in enumerate(row) if isinstance(v, str) and v.strip())),
                                   "".join(texts)))
        if header_index < 0:
            notes.append(Note("no-header", sheet, spec.name))
            missing = tuple(c.name for c in spec.columns if c.type != "ignore")
            return Table(spec.name, sheet, 0, {}, missing_columns=missing, sheets=(sheet,))
        iterator = chain(head[header_index + 1:], iterator)

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

        table = Table(spec.name, sheet, offset + header_index, column_index, missing_columns=missing, sheets=(sheet,))
        used = [(c, m.spec, self.parsers.for_column(m.spec, m.unit_factor)) for c, m in sorted(matches.items())
                if m.spec.type != "ignore"]
        used_columns = [c for c, _, _ in used]
        used_cells = itemgetter(*used_columns) if len(used_columns) > 1 else (lambda row: (row[used_columns[0]],))
        reach = max(used_columns, default=0)
        skip = tuple(norm(p) for p in self.settings.skip_row_prefixes)
        end = tuple(norm(p) for p in self.settings.end_row_prefixes)
        marks = {p[:1] for p in skip + end}          # first characters worth normalising a row for
        start = offset + header_index + 1
        rest = list(iterator)
        found = _records(rest, used_columns, reach, skip, end, marks)
        if found is None:                            # rows of different widths: row by row
            table.row_index, kept = _records_by_row(rest, start, used_cells, reach, skip, end, marks)
        else:
            positions, kept = found
            table.row_index = list(range(start, start + len(positions))) if isinstance(positions, range) \
                else [start + p for p in positions]
        del rest
        row_index = table.row_index

        values: dict[str, list[Any]] = {}
        first_error = len(errors)
        order: list[int] = []                        # (row, column) of each error added below, as one int
        flagged: set[str] | None = None
        numbers: list[str] | None = None
        # the cells read, taken from each row in one pass: the rows lie scattered in memory, the tuples made
        # here side by side, so taking a column from these is cheaper than from the rows (a third less)
        picked = list(map(used_cells, kept)) if len(used) > 1 else None
        for k, (c, column, parser) in enumerate(used):   # column by column: each distinct value parsed once
            raws = list(map(itemgetter(k), picked)) if picked is not None else list(map(itemgetter(c), kept))
            parsed, problems = parser.column(raws)
            letter = column_letter(c)
            name = column.name
            bad_cells: dict[int, Unparsed] = {}
            if problems:      # each distinct raw value said once; the objects per cell made by map(), in order
                # True == 1 == 1.0: booleans have keys of their own (parser.last_keys)
                keys = list(map(parser.last_keys.__getitem__, problems))
                texts, found, expected, nearest = _fields_of_bad(parser, keys, parser.last_bad)
                rows = list(map(row_index.__getitem__, problems))
                if numbers is None:           # each row's number as Excel shows it, made once for the sheet
                    numbers = list(map(str, map((1).__add__, row_index)))
                cells = list(map(letter.__add__, map(numbers.__getitem__, problems)))   # a1(row, c)
                n = len(problems)             # the records built field by field (build_rows: no __init__ per cell)
                errors += build_rows(RegisterError, n, (found, repeat(sheet), cells, texts, expected, nearest))
                order.extend(map((c).__or__, map((24).__rlshift__, rows)))              # (row << 24) | c
                evidence = build_rows(Evidence, n, (repeat(sheet), cells, repeat(None), repeat(name)))
                bad_cells = dict(zip(problems, build_rows(Unparsed, n, (texts, found, expected, evidence, nearest))))
                table.unparsed[name] = bad_cells
            if column.mapped:
                _record_mapped(table, column, raws, set(bad_cells))
            if column.required:
                empty = list(compress(range(len(parsed)), map(is_, parsed, repeat(None))))
                if bad_cells:                 # None and not understood: a register error already
                    empty = list(compress(empty, map(not_, map(bad_cells.__contains__, empty))))
                for position in empty:
                    row = row_index[position]
                    cell = f"{letter}{row + 1}"
                    if flagged is None:
                        flagged = {e.cell for e in islice(errors, before) if e.sheet == sheet}
                    if cell not in flagged:
                        errors.append(RegisterError(codes.MISSING_VALUE, sheet, cell, "", name))
                        order.append((row << 24) | c)
            values[name] = parsed
        del picked
        if len(order) > 1:       # reading order within the sheet (row, then column): sorted as ints
            added = errors[first_error:]
            errors[first_error:] = map(added.__getitem__, sorted(range(len(added)), key=order.__getitem__))
        presorted = errors[first_error:]
        table.values = values
        self._row_rules(table, kept, errors, notes)
        if table.name == "检查隐患":
            header_rows = head[max(header_index - 1, 0):header_index + 1]
            self._referrals_in_remarks(table, kept, header_rows, errors, notes)
        if len(errors) != first_error + len(presorted) or not all(map(is_, islice(errors, first_error, None), presorted)):
            errors[first_error:] = sorted(errors[first_error:], key=_error_order)   # row rules changed them: sort again
        return table

    def _sub_header(self, upper: list[Any], lower: list[Any], found: dict[int, HeaderMatch],
                    lookup: _Lookup) -> dict[int, HeaderMatch]:
        """Columns named by a second header row under a merged group heading, if at least two."""
        taken = {m.spec.name for m in found.values()}
        sub: dict[int, HeaderMatch] = {}
        for c, low in enumerate(lower):
            if c in found or not isinstance(low, str) or not low.strip() or c >= len(upper):
                continue
            top = upper[c]
            if not isinstance(top, str) or not top.strip() or norm(top) == norm(low):
                continue
            for text in (clean(top) + clean(low), low):
                match = lookup.match(text)
                if isinstance(match, HeaderMatch) and match.spec.name not in taken:
                    sub[c] = match
                    taken.add(match.spec.name)
                    break
        return sub if len(sub) >= 2 else {}

    # -- readings that need the whole row ----------------------------------
    def _row_rules(self, table: Table, rows: list[list[Any]], errors: list[RegisterError], notes: list[Note]) -> None:
        """党委会 as a meeting type, 未整改 as a hazard status: the row, not the word, says what they are."""
        settings = self.settings
        if table.name == "会议研判" and "类型" in table.unparsed and settings.meeting_bodies:
            bodies = [norm(b) for b in settings.meeting_bodies]
            words = [norm(w) for w in settings.meeting_topic_words]
            topics = table.values.get("议题") or [None] * len(table)
            clear, restate = [], []
            for position, bad in list(table.unparsed["类型"].items()):
                if not any(b in norm(bad.raw) for b in bodies):
                    continue
                topic = norm(topics[position] or "")
                if words and any(w in topic for w in words):
                    table.values["类型"][position] = "专题研究"
                    clear.append(position)
                else:
                    restate.append(position)
            _forget(table, "类型", clear, errors)
            if "类型" in table.unparsed:
                _restate(table, "类型", restate, errors, codes.MEETING_BODY, "专题研究")
        if table.name == "检查隐患" and "整改状态" in table.unparsed:
            refusal = [norm(w) for w in settings.refusal_words]
            status_column = table.column_index["整改状态"]
            clear, restate = [], []
            for position, bad in list(table.unparsed["整改状态"].items()):
                if norm(bad.raw) not in _UNRECTIFIED:
                    continue
                text = norm("".join(raw_text(v) for c, v in enumerate(rows[position]) if c != status_column
                                    and isinstance(v, str)))
                if refusal and any(w in text for w in refusal):
                    table.values["整改状态"][position] = "拒不整改"
                    clear.append(position)
                    notes.append(Note("status-read", table.sheet, f"{bad.evidence.cell}：{bad.raw} → 拒不整改"))
                else:
                    restate.append(position)
            _forget(table, "整改状态", clear, errors)
            if "整改状态" in table.unparsed:
                _restate(table, "整改状态", restate, errors, codes.AMBIGUOUS_STATUS, "逾期未改、拒不整改、整改中")

    def _referrals_in_remarks(self, table: Table, rows: list[list[Any]], header_rows: list[list[Any]],
                              errors: list[RegisterError], notes: list[Note]) -> None:
        """A referral written in 备注 (REAL-FORMS.md: referrals kept in the hazard row's remark):
        `已[于<date>]抄告/移送/移交…<部门>` with a whole date is read as 移送部门 + 移送日期 at that cell;
        the same without a whole date is a register error and leaves the referral not understood;
        `拟移交…` (planned) is no referral. Only where the row's own 移送部门 is empty."""
        settings = self.settings
        if not settings.remark_columns or not settings.referral_verbs:
            return
        names = {norm(n) for n in settings.remark_columns}
        remark = next((c for row in header_rows for c, v in enumerate(row)
                       if isinstance(v, str) and norm(v) in names and c not in table.column_index.values()), None)
        if remark is None:
            return
        verbs = "|".join(re.escape(v) for v in settings.referral_verbs)
        done = "|".join(re.escape(v) for v in settings.referral_done_prefixes) or "已"
        pattern = re.compile(rf"(?:{done})(?:于|在)?(?P<date>[^，。；,;]*?)(?:{verbs})(?:给|至|到)?(?P<dept>[^，。；,;、\s]+)")
        found: dict[int, tuple[str, Any, str]] = {}
        read: dict[str, tuple[str, Any, str] | None] = {}     # each distinct remark read once (无, 已整改 … repeat)
        for position, row in enumerate(rows):
            raw = row[remark] if remark < len(row) else None
            if not isinstance(raw, str):
                continue
            if raw in read:
                referral = read[raw]
            else:
                text = clean(raw_text(raw))
                match = pattern.search(text)
                referral = None
                if match:
                    when, problem = self.parsers.date(match.group("date")) if match.group("date").strip() else (None, None)
                    whole = when if problem is None and isinstance(when, date) and not isinstance(when, MonthDate) else None
                    referral = (match.group("dept"), whole, text)
                read[raw] = referral
            if referral is not None:
                found[position] = referral
        if not found:
            return
        n = len(table)
        for column in ("移送部门", "移送日期"):
            if column not in table.column_index:
                table.column_index[column] = remark
                table.values[column] = [None] * n
                table.missing_columns = tuple(c for c in table.missing_columns if c != column)
        departments, dates = table.values["移送部门"], table.values["移送日期"]
        for position, (dept, when, text) in sorted(found.items()):
            if departments[position] not in (None, "") or position in table.unparsed.get("移送部门", {}):
                continue
            cell = a1(table.row_index[position], remark)
            if when is None:   # 已抄告 without a whole date: referred, but when cannot be told
                errors.append(RegisterError(codes.REFERRAL_UNDATED, table.sheet, cell, text, "已于2024年5月17日抄告…"))
                table.unparsed.setdefault("移送部门", {})[position] = Unparsed(
                    text, codes.REFERRAL_UNDATED, "已于2024年5月17日抄告…", Evidence(table.sheet, cell, column="移送部门"))
                continue
            departments[position], dates[position] = dept, when
            notes.append(Note("referral-from-remark", table.sheet, f"{cell}：{dept}（{when.isoformat()}）"))

    def _row_readings(self, tables: dict[str, Table], profile: dict[str, ProfileEntry],
                      errors: list[RegisterError], notes: list[Note]) -> None:
        """未整改 with a deadline before the register's own period ends is 逾期未改."""
        hazards = tables.get("检查隐患")
        entry = profile.get("报告期")
        if hazards is not None:   # kept, so that an audit for another period reads them against its own end
            hazards.ambiguous = {p: bad for p, bad in hazards.unparsed.get("整改状态", {}).items()
                                 if bad.code == codes.AMBIGUOUS_STATUS}
        if hazards is None or "整改状态" not in hazards.unparsed or entry is None or not isinstance(entry.value, Period):
            return
        end = entry.value.end
        deadlines = hazards.values.get("整改期限") or [None] * len(hazards)
        clear = []
        for position, bad in list(hazards.unparsed["整改状态"].items()):
            deadline = deadlines[position]
            if bad.code == codes.AMBIGUOUS_STATUS and deadline is not None and deadline < end:
                hazards.values["整改状态"][position] = "逾期未改"
                clear.append(position)
                notes.append(Note("status-read", bad.evidence.sheet, f"{bad.evidence.cell}：{bad.raw} → 逾期未改"))
        _forget(hazards, "整改状态", clear, errors)

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
            if isinstance(match, BadUnit):
                bad_units.append(RegisterError(codes.BAD_UNIT, sheet, a1(r, c), clean(value), match.unit))
            elif match is None:
                unknown.append(clean(value))
            elif match.spec.name not in seen:
                seen.add(match.spec.name)
                found[c] = match
        if len(found) >= self.settings.header_min_matches:
            errors.extend(bad_units)
        return found, unknown


# -- a county's mapping (fireaudit.toml [register], issue 15) ----------------------------------
def _header_candidates(available: int, search: int, hint: int | None) -> range:
    """The rows to look for the header in: the county's hinted row alone, else the first `search`."""
    if hint is not None:
        return range(hint, hint + 1) if 0 <= hint < available else range(0)
    return range(min(search, available))


def _record_mapped(table: Table, column: ColumnSpec, raws: list[Any], bad: set[int]) -> None:
    """Which cells the county's value map read (a finding resting on one says so)."""
    from fireaudit.register.values import is_mapped

    found = {p: raw_text(raw) for p, raw in enumerate(raws) if p not in bad and is_mapped(column, raw) is not None}
    if found:
        table.mapped[column.name] = found


def _mapped_cells(tables: dict[str, Table], profile: dict[str, ProfileEntry]) -> dict[str, str]:
    """`sheet!cell` -> `raw → value` for every cell a county's value map read."""
    out: dict[str, str] = {}
    for table in tables.values():
        for column, cells in table.mapped.items():
            for position, raw in cells.items():
                out[table.cell(position, column).ref()] = f"{raw} → {fmt(table.values[column][position])}"
    for entry in profile.values():
        if entry.source.startswith("mapped:"):
            out[entry.evidence.ref()] = f"{entry.source[len('mapped:'):]} → {fmt(entry.value)}"
        elif entry.source == "mapped":     # a default
            out[entry.evidence.ref()] = f"→ {fmt(entry.value)}"
    return out


def fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return "、".join(map(str, value)) if isinstance(value, tuple) else raw_text(value)


def _mapped_source(column: ColumnSpec, raw: Any, unparsed: Unparsed | None) -> str:
    """ProfileEntry.source of a profile value the county's map read: `mapped:<raw>`, else ""."""
    from fireaudit.register.values import is_mapped

    return f"mapped:{raw_text(raw)}" if unparsed is None and is_mapped(column, raw) is not None else ""


_MAPPED_SHOWN = 10     # cells read by the county's map listed in the note; the findings name their own


_BLANKS = {"", None}
_BLOCK_HEADING = LazyPattern(r"^[(（]?[0-9一二三四五六七八九十]+[)）]?[、.．]\s*[^\s\d]")   # 二、… 3.… （四）…
_BLOCK_HEADING_MAX = 30      # a heading is short; a longer one-cell row is text, not a heading
_BLOCKS_MAX_CELLS = 200_000   # a one-sheet register is a pasted document, not a data dump: larger sheets are not split
_UNRECTIFIED = {norm(w) for w in ("未整改", "待整改", "未完成整改", "尚未整改", "没有整改", "未改")}


_PEEK_MAX_CELLS = 200_000   # an unrecognised sheet larger than this is not opened to see what it resembles


def _name_resemblance(name: str, wanted: dict[str, Any]) -> str | None:
    """The key in `wanted` whose name `name` most resembles (difflib), or that it contains, else None."""
    key = _sheet_key(name)
    close = difflib.get_close_matches(key, list(wanted), n=1, cutoff=0.5)
    if close:
        return close[0]
    contained = sorted((k for k in wanted if len(k) >= 2 and (k in key or key in k)), key=len, reverse=True)
    return contained[0] if contained else None


_QUALIFIER = LazyPattern(r"^(?:\d{4}年度?|第?[一二三四1-4]季度|[\u4e00-\u9fff]{1,12}?(?:自治县|县|市|区|民族乡|乡|镇|街道办事处|街道|办事处))+$")


def _qualified(name: str, wanted: dict[str, Any], min_length: int) -> str | None:
    """A known sheet name of at least `min_length` characters after a qualifier: the township, county or
    year (`潘津镇消防安全责任人`, `2024年隐患台账`). None when none, or when names of two sheets fit."""
    key = _sheet_key(name)
    fits = [k for k in wanted if len(k) >= min_length and key.endswith(k) and key != k
            and _QUALIFIER.match(key[:-len(k)])]
    if not fits:
        return None
    longest = max(len(k) for k in fits)
    top = [k for k in fits if len(k) == longest]
    return top[0] if len({id(wanted[k]) for k in top}) == 1 else None


def _forget(table: Table, column: str, positions: Iterable[int], errors: list[RegisterError]) -> None:
    """Cells the row made clear: no longer unparsed, their register errors withdrawn (one pass over `errors`)."""
    cells = table.unparsed[column]
    refs = {(bad.evidence.sheet, bad.evidence.cell) for bad in (cells.pop(p) for p in positions)}
    if not cells:
        del table.unparsed[column]
    if refs:
        errors[:] = [e for e in errors if (e.sheet, e.cell) not in refs]


def _restate(table: Table, column: str, positions: Iterable[int], errors: list[RegisterError], code: str,
             expected: str) -> None:
    """The cells stay unparsed, with the reason their rows give (one pass over `errors`)."""
    cells = table.unparsed[column]
    refs = set()
    for position in positions:
        bad = cells[position]
        cells[position] = replace(bad, code=code, expected=expected)
        refs.add((bad.evidence.sheet, bad.evidence.cell))
    if refs:
        errors[:] = [replace(e, code=code, expected=expected) if (e.sheet, e.cell) in refs else e for e in errors]


def _combine(parts: list[Table], notes: list[Note]) -> Table:
    """Two or more sheets for one register sheet, read as one table; each record keeps its own sheet."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    notes.append(Note("combined-sheets", first.name, "、".join(p.sheet for p in parts)))
    columns: dict[str, int] = {}
    for part in parts:
        for name, index in part.column_index.items():
            columns.setdefault(name, index)
    names = list(dict.fromkeys(n for p in parts for n in p.values))
    table = Table(first.name, first.sheet, first.header_row, columns,
                  missing_columns=tuple(c for c in first.missing_columns if all(c in p.missing_columns for p in parts)),
                  sheets=tuple(p.sheet for p in parts), part_columns=tuple(p.column_index for p in parts),
                  part_rows=tuple(p.header_row for p in parts),
                  row_sheet=[])
    table.values = {n: [] for n in names}
    for k, part in enumerate(parts):
        offset = len(table.row_index)
        table.row_index.extend(part.row_index)
        table.row_sheet.extend([k] * len(part))
        for n in names:
            table.values[n].extend(part.values.get(n) or [None] * len(part))
        for n, bad in part.unparsed.items():
            table.unparsed.setdefault(n, {}).update({offset + i: u for i, u in bad.items()})
        for n, cells in part.mapped.items():
            table.mapped.setdefault(n, {}).update({offset + i: raw for i, raw in cells.items()})
    return table


def _place(text: str, pattern: re.Pattern[str], key: str, profile: dict[str, ProfileEntry]) -> str | None:
    """A county (`伊宁市`) or township (`潘津镇`) named at the start of a title row or file name."""
    text = _LABEL.sub("", clean(text))
    text = re.sub(r"\d{4}\s*年?\s*(?:度)?\s*(?:第?\s*[一二三四1-4]\s*季度|[-_ ]?[qQ][1-4])", "", text)
    runs = re.findall(r"[\u4e00-\u9fff]+", text)
    if not runs:
        return None
    run = runs[0]
    if key == "乡镇街道":
        county = profile.get("县市")
        known = county.value if county is not None and isinstance(county.value, str) else None
        if known and run.startswith(known):
            run = run[len(known):]
        else:
            lead = _COUNTY.match(run)
            if lead and _TOWNSHIP.match(run[lead.end():] or "-"):
                run = run[lead.end():]
    match = pattern.match(run)
    if not match:
        return None
    name = match.group(1)
    if len(name) < 2 or any(w in name for w in _NOT_A_PLACE):
        return None
    return name


def _records_by_row(rows: list[list[Any]], start: int, used_cells, reach: int, skip: tuple[str, ...],
                    end: tuple[str, ...], marks: set[str]) -> tuple[list[int], list[list[Any]]]:
    """(sheet row, row) of each record, row by row: rows of different widths (see `_records`)."""
    row_index: list[int] = []
    kept: list[list[Any]] = []
    for r, row in enumerate(rows, start=start):
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
    return row_index, kept


def _records(rows: list[list[Any]], used_columns: list[int], reach: int, skip: tuple[str, ...],
             end: tuple[str, ...], marks: set[str]) -> tuple[Iterable[int], list[list[Any]]] | None:
    """The records among the rows under a header, worked out column by column (issue 19, item 4):
    (their positions in `rows`, the rows), or None when the rows differ
    in width (then `_records_by_row`, which gives the same answer row by row).

    A row is a record when a column read holds something; reading stops at a row whose first filled
    cell starts an end marker (`填表说明`, at most two cells filled) and skips one starting a skip
    marker (`合计`). Each distinct value is classified once (a dict), and a column is looked at only
    for the rows still undecided, so a 100,000-row sheet costs a few list operations per column."""
    n = len(rows)
    widths = set(map(len, rows))
    if not used_columns or len(widths) > 1 or (widths and min(widths) <= reach):
        return None
    width = widths.pop() if widths else 0
    kind: dict[Any, int] = {None: 0}   # text or None -> 0 blank, 1 filled, 2 text starting with a marker's first character

    def classify(values: list[Any]) -> list[int]:
        """Each value's kind; any value neither text nor None is filled (1)."""
        for value in set(compress(values, map(isinstance, values, repeat(str)))).difference(kind):
            if value == "" or (value.__class__ is str and not value.strip()):
                kind[value] = 0
            else:
                kind[value] = 2 if value.__class__ is str and norm(value[:2])[:1] in marks else 1
        return list(map(kind.get, values, repeat(1)))

    # each row's first filled cell, column by column for the rows not yet decided
    marked: list[int] = []
    pending: Iterable[int] = range(n)
    for c in range(width):
        if not pending:
            break
        cells = list(map(itemgetter(c), rows)) if c == 0 else [rows[i][c] for i in pending]
        kinds = classify(cells)
        marked += compress(pending, map((2).__eq__, kinds))
        pending = list(compress(pending, map(not_, kinds)))
    limit, dropped = n, set()
    for i in sorted(marked):
        row = rows[i]
        key = norm(_first_filled(row))
        if key.startswith(end) and sum(1 for v in row if not is_blank(v)) <= 2:
            limit = i
            break
        if key.startswith(skip):
            dropped.add(i)
    # rows where every column read is blank
    empty: list[int] = list(compress(range(n), map(not_, classify(list(map(itemgetter(used_columns[0]), rows))))))
    for c in used_columns[1:]:
        if not empty:
            break
        empty = list(compress(empty, map(not_, classify([rows[i][c] for i in empty]))))
    dropped.update(empty)
    if limit == n and not dropped:
        return range(n), rows
    positions = [i for i in range(limit) if i not in dropped]
    return positions, [rows[i] for i in positions]


def _fields_of_bad(parser: ColumnParser, keys: list[Any], distinct: set[Any]) -> tuple[list[Any], ...]:
    """The text, code, expected and nearest of each cell not understood, one list per field: each of
    the `distinct` keys (`keys`: the cells', booleans keyed apart as ColumnParser keys them) said once,
    then looked up per cell in C; a field that is the same for every cell is one value repeated
    (200,000 bad dates say one or two things)."""
    said: dict[Any, tuple[str, str, str, tuple[str, ...]]] = {}
    for key in distinct:                   # equal keys have equal texts
        raw = key[1] if key.__class__ is tuple else key
        problem = parser(raw)[1]
        said[key] = (raw_text(raw), problem.code, problem.expected, problem.nearest)
    if len(said) == 1:
        return tuple([part] * len(keys) for part in next(iter(said.values())))
    fields = []
    for part in zip(*said.values()):
        if len(set(part)) == 1:
            fields.append([part[0]] * len(keys))
        else:
            fields.append(list(map(dict(zip(said, part)).__getitem__, keys)))
    return tuple(fields)


def _first_filled(row: list[Any]) -> Any:
    """The first non-blank cell of a row, or None."""
    for value in row:
        if value != "" and value is not None and not (value.__class__ is str and not value.strip()):
            return value
    return None


def _error_order(error: RegisterError) -> tuple:
    """Register errors in reading order: sheet as found, then row, then column."""
    cell = error.cell
    if cell:     # the common `AB12` without a regular expression (200,000 bad dates are sorted here)
        letters = cell.rstrip("0123456789")
        digits = cell[len(letters):]
        if digits and letters and letters.isascii() and letters.isalpha() and letters.isupper():
            return (int(digits), len(letters), letters)
    match = re.match(r"([A-Z]+)(\d+)$", error.cell or "")
    if not match:
        return (0, 0, "")
    letters, row = match.groups()
    return (int(row), len(letters), letters)


def open_workbook(path: Path, data: bytes | None = None):
    """Open with calamine (from `data` when given); anything it cannot open is an InputError (exit 3)."""
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputError(str(path), "not-a-workbook", suffixes=" ".join(WORKBOOK_SUFFIXES[:4]))
    try:
        if data is not None:
            import io

            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:
        raise InputError(str(path), "not-readable", detail=_reason(exc)) from None


def sheet_rows(sheet) -> Iterable[list[Any]]:
    """Rows from A1, whatever the sheet's used range (calamine starts columns at the range)."""
    start = sheet.start
    offset = [""] * start[1] if start and start[1] else []
    if not offset:
        return sheet.iter_rows()
    return (offset + row for row in sheet.iter_rows())


def _grid(sheet) -> list[list[Any]]:
    """Every row of the sheet from A1, as `sheet_rows` gives them, converted in one call (cheaper than row by row)."""
    return sheet.to_python(skip_empty_area=False)


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
