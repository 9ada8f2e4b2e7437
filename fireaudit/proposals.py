"""What `fireaudit map` proposes for each thing the reader did not recognise (issue 15). Pure: no files.

Each Seen item (a sheet, a block heading, a column header, a profile key, a value
outside its vocabulary) gets the register item it most likely is, scored 0–100 from
three signals weighted in checklists/mapping.toml: the name (rapidfuzz over the
register's names, aliases and help text), the shape of its example values (the
column's own parser reads them?), and its position among the columns the reader
did recognise. A proposal that would change a verdict's direction is held for a
person whatever its score."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz

from fireaudit.checklist.mapping import MappingSettings
from fireaudit.checklist.models import ColumnSpec, RegisterSpec
from fireaudit.register.values import ValueParsers
from fireaudit.textnorm import norm

SHEET, HEADING, COLUMN, KEY, VALUE = "sheet", "heading", "column", "key", "value"
HEADING_PATTERN = re.compile(r"^[(（]?[一二三四五六七八九十]+[)）]?[、.．:：]")
_PERSONISH = ("人", "员", "姓名", "队长", "主持", "责任人", "负责人")
_DEPARTMENTISH = ("部门", "单位", "机构")
_DEPARTMENT_END = ("局", "队", "所", "办", "中心", "委", "站", "政府", "部", "院", "公司", "村", "社区")


@dataclass(frozen=True)
class Seen:
    """Something the reader did not recognise, with where it was and what it holds."""

    kind: str                          # SHEET, HEADING, COLUMN, KEY or VALUE
    name: str                          # the sheet name, heading, header, key or raw value as written
    sheet: str = ""                    # the register sheet it belongs to (COLUMN, KEY, VALUE)
    column: str = ""                   # the register column (VALUE)
    examples: tuple[str, ...] = ()
    header: tuple[str, ...] = ()       # SHEET, HEADING: the header row found under it
    neighbours: tuple[str | None, str | None] = (None, None)   # COLUMN: recognised columns left and right
    found: tuple[str, ...] = ()        # COLUMN: register columns the reader already found in the sheet
    nearest: tuple[str, ...] = ()      # VALUE: the reader's own nearest known values
    where: str = ""                    # file!sheet, for people
    header_row: int = 0                # COLUMN: 1-based header row to write as a hint (0: the reader finds it)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.kind, self.sheet, self.column, norm(self.name))


@dataclass(frozen=True)
class Proposal:
    item: Seen
    target: str | None                 # register sheet / column / key / value; None: nothing fits
    score: int
    signals: dict[str, int] = field(default_factory=dict)
    alternatives: tuple[tuple[str, int], ...] = ()
    hold: str = ""                     # why --yes never accepts it: "direction", "found", "taken"

    def auto(self, settings: MappingSettings) -> bool:
        return self.target is not None and not self.hold and self.score >= settings.auto_accept


def settings_of(data: dict[str, Any]) -> MappingSettings:
    """checklists/mapping.toml, validated by the loader (DATA_SCHEMAS) with the county's [data.mapping]."""
    return data["mapping"]


def propose(items: list[Seen], spec: RegisterSpec, settings: MappingSettings) -> list[Proposal]:
    """A proposal for every item; two columns of one sheet never get the same target."""
    parsers = ValueParsers(spec)
    out: list[Proposal] = []
    for item in items:
        ranked = _rank(item, spec, parsers, settings)
        if not ranked:
            out.append(Proposal(item, None, 0))
            continue
        (target, score, signals), rest = ranked[0], ranked[1:]
        hold = _hold(item, target, settings)
        if not hold and rest and score - rest[0][1] < settings.margin:
            hold = "close"       # two targets nearly as likely: a person decides
        out.append(Proposal(item, target, score, signals,
                            tuple((t, s) for t, s, _ in rest[:settings.alternatives]), hold))
    return _one_source_per_target(out)


def _one_source_per_target(proposals: list[Proposal]) -> list[Proposal]:
    """Two headers of one sheet proposed onto one column: the better keeps it, the other is held."""
    best: dict[tuple[str, str, str], Proposal] = {}
    for p in proposals:
        if p.item.kind in (COLUMN, KEY) and p.target:
            k = (p.item.kind, p.item.sheet, p.target)
            if k not in best or p.score > best[k].score:
                best[k] = p
    return [replace(p, hold=p.hold or "taken") if p.item.kind in (COLUMN, KEY) and p.target
            and best[(p.item.kind, p.item.sheet, p.target)] is not p else p for p in proposals]


def _hold(item: Seen, target: str, settings: MappingSettings) -> str:
    if item.kind == VALUE and norm(target) in {norm(v) for v in settings.never_auto}:
        return "direction"
    if item.kind in (COLUMN, KEY) and target in item.found:
        return "found"
    return ""


# -- ranking ------------------------------------------------------------------------------
def _rank(item: Seen, spec: RegisterSpec, parsers: ValueParsers,
          settings: MappingSettings) -> list[tuple[str, int, dict[str, int]]]:
    if item.kind in (SHEET, HEADING):
        scored = [(name, *_sheet_score(item, name, aliases, columns, settings))
                  for name, aliases, columns in _sheets(spec)]
    elif item.kind in (COLUMN, KEY):
        columns = _columns(spec, item.sheet)
        scored = [(c.name, *_column_score(item, c, i, columns, spec, parsers, settings))
                  for i, c in enumerate(columns) if c.type != "ignore"]
    else:
        scored = [(value, *_value_score(item, value, aliases)) for value, aliases in _values(spec, item)]
    if item.kind != VALUE:      # a value may be any word of its vocabulary: all are offered
        scored = [s for s in scored if s[1] > 0]
    return sorted(scored, key=lambda s: (-s[1], s[0]))


def _sheets(spec: RegisterSpec):
    yield spec.profile.sheet, spec.profile.aliases, spec.profile.keys
    for sheet in spec.sheets:
        yield sheet.name, sheet.aliases, sheet.columns


def _columns(spec: RegisterSpec, sheet: str) -> list[ColumnSpec]:
    if sheet == spec.profile.sheet:
        return list(spec.profile.keys)
    return next((list(s.columns) for s in spec.sheets if s.name == sheet), [])


def name_similarity(text: str, names: list[str], help_text: str = "", help_weight: float = 0.0,
                    type_words: tuple[str, ...] = ()) -> int:
    """0–100: the best rapidfuzz similarity against the names, or the help text's partial_ratio, weighted."""
    key = _bare(text)
    if not key:
        return 0
    best = max((_name_pair(key, _bare(n), type_words) for n in names if _bare(n)), default=0.0)
    if help_text and help_weight:       # the help text names what the column holds, not its kind
        stem = next((key[:-len(w)] for w in type_words if key.endswith(w) and len(key) > len(w)), key)
        best = max(best, help_weight * fuzz.partial_ratio(stem, norm(help_text)))
    return round(best)


def _name_pair(key: str, name: str, type_words: tuple[str, ...]) -> float:
    """A name that is only a type word (the alias `日期`) says only the kind: 30 for any name of that kind."""
    if key != name and name in type_words and key.endswith(name):
        return 30.0
    return _similar(*_stems(key, name, type_words))


def _stems(a: str, b: str, type_words: tuple[str, ...]) -> tuple[str, str]:
    """Two names ending in the same type word (`日期`, `人`) compared without it: the type says what kind of
    value (the shape signal weighs that), the stem says which (整改确认日期 is not 移送日期)."""
    for word in type_words:
        if a.endswith(word) and b.endswith(word) and len(a) > len(word) and len(b) > len(word):
            return a[:-len(word)], b[:-len(word)]
    return a, b


def _similar(a: str, b: str) -> float:
    """rapidfuzz's ratio; a name contained in the other counts only when the shorter has 3+ characters
    (`日期` inside `限改日期` says only that it is some date)."""
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 3:
        score = max(score, 0.9 * fuzz.partial_ratio(a, b))
    return score


def _bare(text: str) -> str:
    """A name without its numbering (`三、`), unit (`（人）`) or required marker."""
    key = HEADING_PATTERN.sub("", norm(text))
    return re.sub(r"[(（][^()（）]*[)）]$", "", key).replace("*", "") or key


def _sheet_score(item: Seen, name: str, aliases: list[str], columns: list[ColumnSpec],
                 settings: MappingSettings) -> tuple[int, dict[str, int]]:
    """A sheet or heading: its name, and how many of its header cells name this sheet's columns."""
    named = name_similarity(item.name, [name, *aliases])
    header = [h for h in item.header if _bare(h)]
    if not header:
        return named, {"name": named}
    hits = sum(1 for h in header if max((name_similarity(h, [c.name, *c.aliases]) for c in columns
                                         if c.type != "ignore"), default=0) >= 85)
    overlap = round(100 * min(1.0, hits / max(3, min(len(header), len(columns)) * 0.6)))
    weights = settings.sheet_weights
    return round(weights["name"] * named + weights["header"] * overlap), {"name": named, "header": overlap}


def _column_score(item: Seen, column: ColumnSpec, index: int, columns: list[ColumnSpec], spec: RegisterSpec,
                  parsers: ValueParsers, settings: MappingSettings) -> tuple[int, dict[str, int]]:
    named = name_similarity(item.name, [column.name, *column.aliases], column.help, settings.help_weight,
                            _type_words(settings))
    signals = {"name": named}
    weights = dict(settings.weights)
    if item.examples:
        signals["shape"] = shape_fit(item.examples, column, parsers)
    unit = _unit_fit(item.name, column, spec)
    if unit is not None:         # `（平方公里）` in the header: only a column measured in it fits
        signals["shape"] = min(signals.get("shape", 100), unit)
    if "shape" not in signals:
        weights.pop("shape", None)
    position = _position(item.neighbours, index, columns)
    if position is None:
        weights.pop("position", None)
    else:
        signals["position"] = position
    total = sum(weights.values()) or 1.0
    score = sum(weights[k] * signals[k] for k in weights) / total
    if column.name in item.found:    # the reader found this column already: likelier something else
        score -= settings.found_penalty
    return max(0, round(score)), signals


_UNIT = re.compile(r"[(（]([^()（）]+)[)）]\s*\*?$")


def _type_words(settings: MappingSettings) -> tuple[str, ...]:
    return tuple(sorted((norm(w) for w in settings.type_words), key=len, reverse=True))


def _unit_fit(header: str, column: ColumnSpec, spec: RegisterSpec) -> int | None:
    """100 when the header's unit is one of the column's, 0 when it is not, None when the header names none."""
    match = _UNIT.search(header.strip())
    if not match:
        return None
    unit = norm(match.group(1))
    if column.type not in ("number", "count"):
        return 0 if any(norm(u) == unit for d in spec.dimensions.values() for u in d.units) else None
    units = spec.dimensions.get(column.dimension or "count")
    return 100 if units is not None and unit in {norm(u) for u in units.units} else 0


def shape_fit(examples: tuple[str, ...], column: ColumnSpec, parsers: ValueParsers) -> int:
    """0–100: how well the example values fit the column's type.

    Typed columns: the share its own parser reads. Text columns: values that are not
    dates or numbers fit, better when they look like what the column holds
    (people's names for 检查人/主持人, departments for 移送部门)."""
    values = [e for e in examples if e.strip()]
    if not values:
        return 0
    if column.type not in ("text", "ignore"):
        parse = parsers.for_column(column)
        words = _words(column, parsers)
        fits = [1.0 if parse(v)[1] is None else 0.8 if words and _near(v, words) else 0.0 for v in values]
        return round(100 * sum(fits) / len(values))
    typed = [c for c in (ColumnSpec("d", "date"), ColumnSpec("n", "number", dimension="count"))]
    plain = [v for v in values if all(parsers.for_column(c)(v)[1] is not None for c in typed)]
    if len(plain) < len(values):
        return round(30 * len(plain) / len(values))
    name = column.name
    people = sum(1 for v in plain if _looks_like_person(v))
    departments = sum(1 for v in plain if norm(v).endswith(_DEPARTMENT_END))
    if any(w in name for w in _PERSONISH) and not any(w in name for w in _DEPARTMENTISH):
        return round(50 + 50 * people / len(plain))
    if any(w in name for w in _DEPARTMENTISH):
        return round(50 + 50 * departments / len(plain))
    return round(70 - 20 * people / len(plain))


def _words(column: ColumnSpec, parsers: ValueParsers) -> list[str]:
    """The words a yes/no or vocabulary column reads: a value close to one is probably its own word."""
    if column.type == "yesno":
        return [*parsers.yes, *parsers.no, *(norm(w) for w in (*column.yes, *column.no))]
    if column.type in ("vocab", "vocab_list"):
        return list(parsers.vocab_lookup.get(column.vocab or "", {}))
    return []


def _near(value: str, words: list[str]) -> bool:
    """`已落实到位` is close to `已落实`: a state word of the same kind (rapidfuzz, 3+ shared characters)."""
    key = norm(value)
    return any(len(w) >= 2 and _similar(key, w) >= 80 for w in words)


def _looks_like_person(value: str) -> bool:
    text = norm(value)
    return 2 <= len(text) <= 4 and all("\u4e00" <= ch <= "\u9fff" for ch in text) and not text.endswith(_DEPARTMENT_END)


def _position(neighbours: tuple[str | None, str | None], index: int, columns: list[ColumnSpec]) -> int | None:
    """Where the template puts the column, against the recognised neighbours: between both, 100 for the
    only slot and 20 less for each other slot there; with one side known, 70 next to it, 40 one further."""
    left, right = neighbours
    if left is None and right is None:
        return None
    order = {c.name: i for i, c in enumerate(columns)}
    lo, hi = order.get(left) if left else None, order.get(right) if right else None
    if lo is not None and hi is not None:
        if not lo < index < hi:
            return 0
        return max(40, 100 - 20 * (hi - lo - 2))
    side = lo if lo is not None else hi
    if side is None:
        return None
    distance = index - side if lo is not None else side - index
    return {1: 70, 2: 40}.get(distance, 0)


def _values(spec: RegisterSpec, item: Seen) -> list[tuple[str, list[str]]]:
    column = next((c for c in _columns(spec, item.sheet) if c.name == item.column), None)
    if column is None:
        return []
    if column.type == "yesno":
        return [("是", [*spec.yesno.yes, *column.yes]), ("否", [*spec.yesno.no, *column.no])]
    if column.type in ("vocab", "vocab_list") and column.vocab in spec.vocabularies:
        vocab = spec.vocabularies[column.vocab]
        return [(v, [v, *(a for a, t in vocab.aliases.items() if t == v)]) for v in vocab.values]
    return []


def _value_score(item: Seen, value: str, aliases: list[str]) -> tuple[int, dict[str, int]]:
    named = name_similarity(item.name, aliases)
    if value in item.nearest:
        named = min(100, named + 10)
    return named, {"name": named}
