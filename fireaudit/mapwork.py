"""`fireaudit map`: read a county's workbooks, propose a mapping, ask (or --yes), merge it into fireaudit.toml.

Rounds: a sheet accepted in one round is read in the next, so its columns and
values are proposed then. Everything already mapped in the output file is read as
mapped and never proposed again (next quarter proposes only what is new). The
file is edited with tomlkit, so the county's own keys and comments stay."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Callable, Iterable

import tomlkit

from fireaudit.audit import load_checklist
from fireaudit.checklist.loader import convert, read_toml
from fireaudit.checklist.mapping import apply_mapping
from fireaudit.checklist.models import RegisterMapping, RegisterSpec
from fireaudit.errors import ConfigError, InputError
from fireaudit.i18n import Phrase, t
from fireaudit.proposals import (COLUMN, HEADING, HEADING_PATTERN, KEY, SHEET, VALUE, MappingSettings, Proposal, Seen,
                                 propose, settings_of)
from fireaudit.register.reader import RegisterReader, _filled, open_workbook, sheet_rows
from fireaudit.register.values import is_blank, raw_text
from fireaudit.resources import data_dir
from fireaudit.textnorm import norm
from fireaudit.register import codes

RAW_ROWS = 200          # rows of each sheet looked at for headers and examples
MAX_ROUNDS = 4


@dataclass
class Outcome:
    accepted: list[Proposal] = field(default_factory=list)
    held: list[Proposal] = field(default_factory=list)       # listed for a person (--yes) or skipped
    refused: list[tuple[Proposal, str]] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)   # file -> why it could not be read


# -- what the reader did not recognise ---------------------------------------------------
def collect(files: Iterable[Path], checklist, examples: int = 3,
            unreadable: dict[str, str] | None = None) -> list[Seen]:
    """Every sheet, heading, column, profile key and value the reader did not recognise, merged over files.

    A file that cannot be read goes into `unreadable` (file -> reason) and the rest are still looked at;
    without `unreadable` its InputError is raised."""
    reader = RegisterReader(checklist)
    found: dict[tuple, Seen] = {}
    for path in files:
        try:
            register = reader.read(path)
            raw = _raw_sheets(Path(path))
        except InputError as exc:
            if unreadable is None:
                raise
            unreadable[exc.path] = Phrase(exc.key, exc.fields)
            continue
        for item in _seen_in(register, raw, checklist.register, examples, reader):
            old = found.get(item.key)
            if old is None:
                found[item.key] = item
            elif len(old.examples) < examples:
                more = tuple(dict.fromkeys(old.examples + item.examples))[:examples]
                found[item.key] = Seen(**{**old.__dict__, "examples": more})
    return list(found.values())


def _raw_sheets(path: Path) -> dict[str, list[list[Any]]]:
    workbook = open_workbook(path)
    try:
        return {name: list(islice(_filled(s, sheet_rows(s)), RAW_ROWS))
                for name in workbook.sheet_names for s in (workbook.get_sheet_by_name(name),)}
    finally:
        workbook.close()


def _seen_in(register, raw: dict[str, list[list[Any]]], spec: RegisterSpec, n: int,
             reader: RegisterReader) -> Iterable[Seen]:
    file = Path(register.path).name
    unread = [note.sheet for note in register.notes if note.code in ("unrecognised-sheet", "ignored-sheet")]
    for sheet in unread:
        rows = raw.get(sheet, [])
        headings = _headings(rows)
        if len(headings) >= 2:
            for text, header in headings:
                yield Seen(HEADING, text, header=header, where=f"{file}!{sheet}")
        else:
            yield Seen(SHEET, sheet, header=_guess_header(rows)[1], where=f"{file}!{sheet}")
    for note in register.notes:      # a one-sheet register read block by block: the headings it did not know
        if note.code == "unrecognised-block":
            text = note.detail.split("：", 1)[-1]
            header = dict(_headings(raw.get(note.sheet, []))).get(text, ())
            yield Seen(HEADING, text, header=header, where=f"{file}!{note.sheet}")
    for table in register.tables.values():
        parts = [(table.sheet, table.header_row, table.column_index)] if table.row_sheet is None else \
            list(zip(table.sheets, table.part_rows, table.part_columns))
        for sheet, header_row, columns in parts:
            rows = raw.get(sheet, [])
            hint = 0
            if not columns:                       # no header found: propose from the likeliest row
                header_row, _ = _guess_header(rows)
                if header_row < 0:
                    continue
                if header_row >= spec.reader.header_search_rows:
                    hint = header_row + 1         # below where the reader looks: the mapping says where
            yield from _columns_seen(rows, header_row, columns, table.name, f"{file}!{sheet}", n, hint)
        for column, cells in table.unparsed.items():
            for bad in cells.values():
                if bad.code in (codes.UNKNOWN_VALUE, codes.BAD_YESNO, codes.CLASS_ONLY):
                    yield Seen(VALUE, bad.raw, table.name, column, (bad.evidence.ref(),), nearest=bad.nearest,
                               where=f"{file}!{bad.evidence.ref()}")
    if register.profile_sheet is not None:
        lookup = reader._lookup("\0profile", spec.profile.keys)
        for key, value in _profile_keys(_profile_rows(register, raw.get(register.profile_sheet, []), spec), lookup):
            yield Seen(KEY, key, spec.profile.sheet, examples=(value,), found=tuple(register.profile),
                       where=f"{file}!{register.profile_sheet}")
    for key, entry in register.profile.items():
        bad = entry.unparsed
        if bad is not None and bad.code in (codes.UNKNOWN_VALUE, codes.BAD_YESNO):
            yield Seen(VALUE, bad.raw, spec.profile.sheet, key, (bad.evidence.ref(),), nearest=bad.nearest,
                       where=f"{file}!{bad.evidence.ref()}")


def _columns_seen(rows, header_row: int, columns: dict[str, int], sheet: str, where: str, n: int,
                  hint: int = 0) -> Iterable[Seen]:
    if header_row >= len(rows):
        return
    header = rows[header_row]
    at = {c: name for name, c in columns.items()}
    for c, value in enumerate(header):
        if c in at or is_blank(value) or not isinstance(value, str):
            continue
        left = next((at[k] for k in range(c - 1, -1, -1) if k in at), None)
        right = next((at[k] for k in range(c + 1, len(header)) if k in at), None)
        below = [raw_text(r[c]) for r in rows[header_row + 1:] if c < len(r) and not is_blank(r[c])]
        below = [v for v in below if v.strip() and not _is_signature(v)]
        yield Seen(COLUMN, raw_text(value).strip(), sheet, examples=tuple(dict.fromkeys(below))[:n],
                   neighbours=(left, right), found=tuple(columns), where=where, header_row=hint)


def _is_signature(text: str) -> bool:
    return any(text.startswith(w) for w in ("填表人", "审核人", "填报日期", "签名", "合计"))


def _guess_header(rows: list[list[Any]]) -> tuple[int, tuple[str, ...]]:
    """The likeliest header: the first row with the most short labels (text that is not a number or a
    date, at most 16 characters), looked for in every row read."""
    best, texts = -1, ()
    for r, row in enumerate(rows):
        cells = tuple(dict.fromkeys(raw_text(v).strip() for v in row if _label(v)))
        if len(cells) >= 2 and len(cells) > len(texts):
            best, texts = r, cells
    return best, texts


def _label(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 16:
        return False
    return not any(ch.isdigit() for ch in value)


def _headings(rows: list[list[Any]]) -> list[tuple[str, tuple[str, ...]]]:
    """Block headings of a one-sheet register (`一、消防安全责任人`), each with the header row under it."""
    out = []
    for r, row in enumerate(rows):
        texts = {raw_text(v).strip() for v in row if not is_blank(v)}
        if len(texts) == 1:
            text = next(iter(texts))
            if HEADING_PATTERN.match(text):
                below = next((rows[k] for k in range(r + 1, min(r + 4, len(rows)))
                              if sum(1 for v in rows[k] if not is_blank(v)) >= 2), [])
                keys = [next((raw_text(v).strip() for v in row if isinstance(v, str) and v.strip()), "")
                        for row in rows[r + 1:r + 13]]      # a key | value block: the keys down its first column
                cells = [raw_text(v).strip() for v in below if isinstance(v, str) and v.strip()] + keys
                out.append((text, tuple(dict.fromkeys(c for c in cells if c))))
    return out


def _profile_rows(register, rows: list[list[Any]], spec: RegisterSpec) -> list[list[Any]]:
    """The rows of the profile: on a one-sheet register read block by block, only its own block (the
    other blocks' header rows are no profile keys)."""
    sheet = register.profile_sheet
    heads: list[tuple[int, str | None]] = []
    for note in register.notes:
        if note.sheet != sheet:
            continue
        if note.code in ("blocks-read", "mapping.blocks"):
            for part in note.detail.split("、"):
                ref, _, target = part.partition("→")
                heads.append((_row_of(ref), target))
        elif note.code == "unrecognised-block":
            heads.append((_row_of(note.detail.split("：", 1)[0]), None))
    if not heads:
        return rows
    heads.sort()
    start = next((r for r, target in heads if target == spec.profile.sheet), None)
    if start is None:
        return []
    end = next((r for r, _ in heads if r > start), len(rows))
    return rows[start + 1:end]


def _row_of(ref: str) -> int:
    """Zero-based row of an A1 reference (`A27` → 26)."""
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) - 1 if digits else -1


def _profile_keys(rows: list[list[Any]], lookup) -> Iterable[tuple[str, str]]:
    """(key, value) pairs of a key | value profile (rows or a grid) whose key the reader does not know."""
    from fireaudit.register.reader import _PROFILE_HEADER_WORDS

    for row in rows:
        cells = [(c, v) for c, v in enumerate(row) if not is_blank(v)]
        if len({raw_text(v) for _, v in cells}) < 2:
            continue                                  # a title, a heading or an empty row
        k = 0
        while k < len(cells):
            _, value = cells[k]
            text = raw_text(value).strip()
            nxt = k + 1
            while nxt < len(cells) and raw_text(cells[nxt][1]).strip() == text:
                nxt += 1                              # the key's merged copies
            if not isinstance(value, str) or norm(text) in _PROFILE_HEADER_WORDS or _is_signature(text):
                k += 1
                continue
            if nxt >= len(cells):
                break
            if lookup.match(text) is None and not _is_signature(raw_text(cells[nxt][1])):
                yield text, raw_text(cells[nxt][1]).strip()
            k = nxt + 1


# -- the county's file --------------------------------------------------------------------
def load_document(path: Path) -> tomlkit.TOMLDocument:
    if not path.is_file():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except Exception as exc:  # tomlkit raises its own parse errors
        raise ConfigError("error.config.bad_toml_edit", path=str(path), detail=" ".join(str(exc).split())) from None


def _table(parent, key: str):
    if key not in parent:
        parent[key] = tomlkit.table()
    return parent[key]


def add(doc, proposal: Proposal, target: str, profile_sheet: str, known: frozenset = frozenset()) -> None:
    """Write one accepted proposal into the document's [register] section (`known`: (sheet, name) the
    reader already reads, for which only a header row is written)."""
    register = _table(doc, "register")
    item = proposal.item
    if item.kind == HEADING:
        _table(register, "blocks")[item.name] = target
        return
    sheets = _table(register, "sheets")
    if item.kind == SHEET:
        entry = _table(sheets, target)
        names = entry.get("names")
        if names is None:
            entry["names"] = tomlkit.array()
            names = entry["names"]
        if item.name not in names:
            names.append(item.name)
    elif item.kind in (COLUMN, KEY):
        entry = _table(sheets, item.sheet or profile_sheet)
        if item.header_row and "header_row" not in entry:
            entry["header_row"] = item.header_row
        if (item.sheet, norm(item.name)) not in known:
            _table(entry, "columns")[item.name] = target
    elif item.kind == VALUE:
        _table(_table(_table(sheets, item.sheet), "values"), item.column)[item.name] = target


def refusal(doc, proposal: Proposal, target: str, shipped: RegisterSpec, origin: str) -> Any:
    """Why writing this proposal would be refused (two onto one, one onto two), else None."""
    trial = tomlkit.parse(tomlkit.dumps(doc))
    item = proposal.item
    if item.kind in (COLUMN, KEY):
        columns = trial.get("register", {}).get("sheets", {}).get(item.sheet, {}).get("columns", {})
        other = next((s for s, tgt in columns.items() if tgt == target and norm(s) != norm(item.name)), None)
        if other is not None:
            return f"{other!r} → {target}"
    add(trial, proposal, target, shipped.profile.sheet)
    try:
        mapping = convert(trial.unwrap().get("register", {}), RegisterMapping, origin)
        apply_mapping(shipped, mapping, origin, [])
    except ConfigError as exc:
        return exc.phrase()
    return None


def _known(spec: RegisterSpec) -> frozenset:
    """(register sheet, normalised name) of every column name and alias register.toml already has."""
    pairs = {(spec.profile.sheet, norm(a)) for c in spec.profile.keys for a in (c.name, *c.aliases)}
    pairs |= {(s.name, norm(a)) for s in spec.sheets for c in s.columns for a in (c.name, *c.aliases)}
    return frozenset(pairs)


def shipped_register() -> RegisterSpec:
    path = data_dir("checklists") / "register.toml"
    return convert(read_toml(path), RegisterSpec, str(path))


# -- the session ----------------------------------------------------------------------------
Decide = Callable[[Proposal, MappingSettings], tuple[str, str | None]]   # -> ("accept"|"skip", target)


def run(files: list[Path], output: Path, decide: Decide | None, *, show: Callable[[list[Proposal]], None] | None = None
        ) -> Outcome:
    """Propose, decide (`decide` None: --yes), merge into `output`, round after round."""
    outcome = Outcome()
    shipped = shipped_register()
    decided: set[tuple] = set()
    for _ in range(MAX_ROUNDS):
        checklist = load_checklist(str(output) if output.is_file() else None)
        settings = settings_of(checklist.data)
        items = [i for i in collect(files, checklist, settings.examples, outcome.unreadable) if i.key not in decided]
        proposals = propose(items, checklist.register, settings)
        if not proposals:
            break
        if show is not None:
            show(proposals)
        doc = load_document(output)
        accepted = 0
        for proposal in proposals:
            decided.add(proposal.item.key)
            if decide is None:
                verdict, target = ("accept", proposal.target) if proposal.auto(settings) else ("skip", None)
            else:
                verdict, target = decide(proposal, settings)
            if verdict != "accept" or target is None:
                outcome.held.append(proposal)
                continue
            why = refusal(doc, proposal, target, shipped, str(output))
            if why is not None:
                outcome.refused.append((proposal, why))
                continue
            add(doc, proposal, target, shipped.profile.sheet, _known(shipped))
            outcome.accepted.append(Proposal(proposal.item, target, proposal.score, proposal.signals))
            accepted += 1
        if not accepted:
            break
        _write(output, doc)
    return outcome


def _write(path: Path, doc) -> None:
    """Atomically: a temp file beside the target, then a rename."""
    text = tomlkit.dumps(doc)
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    temp.replace(path)


def describe(proposal: Proposal, lang: str) -> tuple[str, str, str, str, str]:
    """(what, as written, proposed, score, examples) for the table and the listing."""
    item = proposal.item
    what = t(lang, f"map.kind.{item.kind}") + (f"（{item.sheet}{'·' + item.column if item.column else ''}）"
                                               if item.sheet else "")
    target = proposal.target or "—"
    if proposal.hold:
        target += " " + t(lang, f"map.hold.{proposal.hold}")
    return what, item.name, target, str(proposal.score), "、".join(item.examples or item.header[:3])


# -- the terminal --------------------------------------------------------------------------
def session(files: list[Path], output: Path, yes: bool, lang: str, console) -> Outcome:
    """The `map` command: a rich table of proposals, a prompt for each (or --yes), the next command."""
    import typer
    from rich.table import Table

    def show(proposals: list[Proposal]) -> None:
        table = Table(title=t(lang, "map.title"))
        for column in ("what", "written", "proposed", "score", "examples"):
            table.add_column(t(lang, f"map.col.{column}"))
        for proposal in proposals:
            table.add_row(*describe(proposal, lang))
        console.print(table)

    def decide(proposal: Proposal, settings: MappingSettings) -> tuple[str, str | None]:
        what, written, proposed, score, _ = describe(proposal, lang)
        answer = typer.prompt(t(lang, "map.ask", what=what, written=written, proposed=proposed, score=score),
                              default="a" if proposal.auto(settings) else "s").strip().lower()
        if answer.startswith("a") and proposal.target:
            return "accept", proposal.target
        if answer.startswith("c"):
            options = [o for o in ([proposal.target] if proposal.target else []) + [a for a, _ in proposal.alternatives]]
            listed = "  ".join(f"{n}) {o}" for n, o in enumerate(options, start=1))
            choice = typer.prompt(t(lang, "map.choose", options=listed), default="", show_default=False).strip()
            if choice.isdigit() and 1 <= int(choice) <= len(options):
                return "accept", options[int(choice) - 1]
            return ("accept", choice) if choice else ("skip", None)
        return "skip", None

    outcome = run(files, output, None if yes else decide, show=show)
    for file, reason in outcome.unreadable.items():
        console.print(t(lang, "map.unreadable", file=file, reason=reason), markup=False, soft_wrap=True)
    for proposal, reason in outcome.refused:
        what, written, proposed, _, _ = describe(proposal, lang)
        console.print(t(lang, "map.refused", what=what, written=written, proposed=proposed, reason=reason),
                      markup=False, soft_wrap=True)
    if outcome.unreadable and len(outcome.unreadable) == len(files):
        raise typer.Exit(3)           # nothing could be read at all
    if not (outcome.accepted or outcome.held or outcome.refused):
        console.print(t(lang, "map.nothing"), markup=False)
        return outcome
    if outcome.accepted:
        console.print(t(lang, "map.accepted", file=str(output), count=len(outcome.accepted)), markup=False)
    if yes and outcome.held:
        threshold = settings_of(load_checklist(str(output) if output.is_file() else None).data).auto_accept
        console.print(t(lang, "map.held", count=len(outcome.held), threshold=threshold), markup=False)
        for proposal in outcome.held:
            what, written, proposed, score, examples = describe(proposal, lang)
            console.print(f"  {what} “{written}” → {proposed} ({score}) {examples}", markup=False, soft_wrap=True)
    names = " ".join(_quoted(str(f)) for f in files if str(f) not in outcome.unreadable)
    console.print(t(lang, "map.next", command=f"fireaudit check {names} --config {_quoted(str(output))}"),
                  markup=False, soft_wrap=True)
    return outcome


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text)
