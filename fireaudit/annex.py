"""The annex's referral routing: which department a refused hazard goes to.

Shared by the R13 checks and `fireaudit route`. The categories, departments
and keyword rules are data (checklists/annex.toml); this module only reads
them. Inference and department parsing are memoised per distinct text, so a
100,000-row hazard sheet costs one inference per distinct description; within
descriptions, clauses are read once per shape (`_Shape`: the characters no
keyword can use blotted out), so clauses that differ by a house number or a
village's name cost a look-up.

A description is read clause by clause: numbered lists and punctuation split
it, the synonym table rewrites how inspectors write into the rules' words, and
the keyword rules fire. A tie (one clause, categories of different departments)
makes the description unknown, never "any department". Where no rule fires, a
character-bigram suggestion is offered as a hint, never as a verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Iterable

from fireaudit.checklist.data import AnnexData, Category, Department, Rule, Synonym  # noqa: F401 - the data's shape
from fireaudit.checklist.names import nearest_hint
from fireaudit.errors import ConfigError
from fireaudit.i18n import Phrase
from fireaudit.textnorm import clean, norm, prefix, split_list

ANNEX = "annex"
VOCABULARY = "隐患类别"


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Match:
    """One category a description was read as, and the keywords that decided it."""

    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Referral:
    """Departments named in a 移送部门 cell: recognised (canonical), not, and pre-2018 names (公安消防大队)."""

    departments: tuple[str, ...]
    unrecognised: tuple[str, ...]
    former: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """The category whose annex text a description most resembles: a hint, never a verdict."""

    category: str
    score: float


@dataclass(frozen=True)
class Reading:
    """How a description was read: categories, ties, the synonyms applied and a suggestion."""

    matches: tuple[Match, ...]                   # categories of the clauses that read clearly
    ties: tuple[tuple[str, ...], ...] = ()       # per tied clause, its categories
    synonyms: tuple[tuple[str, str], ...] = ()   # (as written, as read)
    unresolved: tuple[str, ...] = ()             # words that need context and had none (消防通道)
    suggestion: Suggestion | None = None

    @property
    def determined(self) -> bool:
        return bool(self.matches) and not self.ties


@dataclass(frozen=True)
class _CompiledRule:
    clause: tuple[frozenset[str], ...]
    context: tuple[frozenset[str], ...]
    unless: frozenset[str]
    exclude: frozenset[str]


class Router:
    """Categories → departments, and description → categories (memoised)."""

    def __init__(self, data: AnnexData, list_separators: Iterable[str]):
        self.data = data
        self.categories: dict[str, Category] = {c.name: c for c in data.category}
        self.order = {c.name: n for n, c in enumerate(data.category)}
        known_departments = {d.name for d in data.department}
        for category in data.category:
            for name in category.departments:
                if name not in known_departments:
                    raise ConfigError("error.annex.unknown_department", category=category.name, department=name,
                                      hint=nearest_hint(name, sorted(known_departments)))
        self._department_keywords = [(d.name, tuple(norm(k) for k in d.keywords)) for d in data.department]
        self._rules = [(c.name, [self._compile(c.name, r) for r in c.rules]) for c in data.category]
        self._keywords = sorted({k for _, rules in self._rules for r in rules
                                 for group in (*r.clause, *r.context) for k in group} | set(self._excluded()))
        # rules indexed by the keywords of their first clause group: a clause only tries the rules it could match
        self._flat_rules = [(name, rule) for name, rules in self._rules for rule in rules]
        self._rules_by_keyword: dict[str, list[int]] = {}
        for r, (_, rule) in enumerate(self._flat_rules):
            for word in rule.clause[0]:
                self._rules_by_keyword.setdefault(word, []).append(r)
        separators = sorted({clean(s) or s for s in data.clause_separators}, key=len, reverse=True)
        self._splitter = re.compile("|".join([*(re.escape(s) for s in separators), r"\s+"]))
        try:
            self._numbering = re.compile("|".join(data.clause_patterns)) if data.clause_patterns else None
        except re.error as exc:
            raise ConfigError("error.annex.clause_patterns", detail=str(exc)) from None
        self._parts = re.compile("|".join(re.escape(s) for s in data.list_separators)) if data.list_separators else None
        self._negations = frozenset(norm(n) for n in data.negations)
        self._list_separators = list(list_separators)
        self._former = tuple(norm(n) for n in data.former_departments)
        self._departments_of = {c.name: frozenset(c.departments) for c in data.category}
        self._read: dict[str, Reading] = {}
        self._plain: dict[str, Reading] = {}           # by description, without the suggestion (`infer`)
        # a clause's reading depends on the rest of the description only through the rules' context words
        self._context_words = frozenset(w for _, rule in self._flat_rules for g in rule.context for w in g)
        self._clause_seen: dict[tuple[str, frozenset[str]], list[dict[str, list[str]]]] = {}
        self._shapes: dict[str, _Clause] = {}          # by coarse shape (`_Shape`)
        self._fine_shapes: dict[str, _Clause] = {}     # by fine shape
        self._by_clauses: dict[tuple[_Clause, ...], Reading] = {}   # by the clauses read
        self._referrals: dict[str, Referral] = {}

    # The keyword matcher (a scanner over every keyword and negation, the synonyms, the annex texts'
    # bigrams) is built when a description must be read, not when the router is: a register whose
    # referred hazards all name their category never builds it (issue 19, item 6).
    @cached_property
    def _scanner(self) -> "_Scanner":
        return _Scanner([*self._keywords, *self._negations])

    @cached_property
    def _synonyms(self) -> "_Synonyms":
        return _Synonyms(self.data.synonym, self.data.protected)

    # Distinct clauses read before the coarse shape (one regex, ~2 ms to build) is looked up first.
    COARSE_AFTER = 64

    @cached_property
    def _inert(self) -> "_Shape":
        return _Shape([*self._keywords, *self._negations, *self._synonyms.words, *self.data.list_separators],
                      self._synonyms.variants)

    @cached_property
    def _bigrams(self) -> dict[str, Any]:
        return {c.name: _bigrams(norm(c.annex_text)) for c in self.data.category if not c.any_department}

    def _excluded(self) -> set[str]:
        return {k for _, rules in self._rules for r in rules for k in r.exclude}

    def _expand(self, owner: str, group: list[str]) -> frozenset[str]:
        words: set[str] = set()
        for word in group:
            if word.startswith("@"):
                if word[1:] not in self.data.keyword_sets:
                    raise ConfigError("error.annex.no_keyword_set", category=owner, name=word,
                                      hint=nearest_hint(word[1:], sorted(self.data.keyword_sets)))
                words.update(norm(w) for w in self.data.keyword_sets[word[1:]])
            else:
                words.add(norm(word))
        return frozenset(words)

    def _compile(self, owner: str, rule: Rule) -> _CompiledRule:
        if not rule.clause:
            raise ConfigError("error.annex.rule_without_clause", category=owner)
        for name in rule.unless:
            if name not in {c.name for c in self.data.category}:
                raise ConfigError("error.annex.unless_unknown", category=owner, name=name)
        return _CompiledRule(
            clause=tuple(self._expand(owner, g) for g in rule.clause),
            context=tuple(self._expand(owner, g) for g in rule.context),
            unless=frozenset(rule.unless),
            exclude=frozenset(norm(w) for w in rule.exclude),
        )

    # -- categories -------------------------------------------------------
    def departments_of(self, category: str) -> tuple[str, ...]:
        return tuple(self.categories[category].departments)

    def accepts_any(self, category: str) -> bool:
        return self.categories[category].any_department

    def infer(self, description: str | None) -> tuple[Match, ...]:
        """The categories a free-text 隐患描述 reads as (empty: cannot tell, or a tie)."""
        if not description:
            return ()
        try:
            reading = self._plain[description]
        except KeyError:
            reading = self._plain[description] = self._reading(description)[0]
        return reading.matches if reading.determined else ()

    def read(self, description: str | None) -> Reading:
        """The whole reading of a description (memoised): what `route` shows and the R13 hint uses."""
        if not description:
            return Reading(())
        try:
            return self._read[description]
        except KeyError:
            pass
        reading = self._plain.get(description)
        if reading is None:
            reading, clauses, read = self._reading(description)
            self._plain[description] = reading
        elif not (reading.matches or reading.ties):     # read before by `infer`, which needs no suggestion
            clauses = self._clauses(description)
            read = [self._clause(clause) for clause in clauses]
        if not (reading.matches or reading.ties):
            reading = self._suggested(reading, clauses, read)
        self._read[description] = reading
        return reading

    def _clauses(self, description: str) -> list[str]:
        """The description cut at numbering (before NFKC turns ① into 1), then at punctuation and spaces."""
        description = prefix(description)      # a very long text: its prefix only (limits.toml)
        pieces = self._numbering.split(description) if self._numbering else [description]
        return [c for piece in pieces for c in self._splitter.split(clean(piece).casefold()) if c]

    def _reading(self, description: str) -> tuple[Reading, list[str], list["_Clause"]]:
        """The reading without its suggestion (the one memoised per set of clauses), the clauses and what each says."""
        clauses = self._clauses(description)
        read = [self._clause(clause) for clause in clauses]
        key = tuple(read)
        reading = self._by_clauses.get(key)
        if reading is None:
            reading = self._by_clauses[key] = self._combined(read)
        return reading, clauses, read

    def _suggested(self, reading: Reading, clauses: list[str], read: list["_Clause"]) -> Reading:
        """A reading with no category, with a suggestion from the rewritten clauses themselves (their
        bigrams): only `read` makes it (route, the R13 hint), `infer` needs none."""
        texts = [self._synonyms.apply(norm(c))[0] for c, r in zip(clauses, read) if not r.negated]
        suggestion = self._suggest("".join(texts))
        return reading if suggestion is None else replace(reading, suggestion=suggestion)

    def _combined(self, read: list["_Clause"]) -> Reading:
        """The reading of a description's clauses together (without the suggestion)."""
        synonyms: list[tuple[str, str]] = []
        unresolved: list[str] = []
        for clause in read:
            if clause.synonyms:
                synonyms.extend(u for u in clause.synonyms if u not in synonyms)
            if clause.unresolved:
                unresolved.extend(w for w in clause.unresolved if w not in unresolved)
        kept = [clause for clause in read if not clause.negated]
        found: dict[str, list[str]] = {}
        ties: list[tuple[str, ...]] = []
        context = frozenset().union(*(clause.context for clause in kept))
        for clause in kept:
            for names, tie, hits in self._clause_readings(clause.shape, context):
                if tie:
                    ties.append(names)
                    continue
                for name in names:
                    words = found.setdefault(name, [])
                    words.extend(w for w in hits[name] if w not in words)
        matches = tuple(Match(n, tuple(_as_written(found[n], synonyms))) for n in sorted(found, key=self.order.__getitem__))
        return Reading(matches, tuple(ties), tuple(synonyms), tuple(unresolved))

    def _clause(self, clause: str) -> "_Clause":
        """What one clause says: synonyms applied, keywords found, negated or not (memoised by its shape).

        Two clauses of one shape (`_Shape`: the same text once the characters no
        keyword, synonym or separator uses are blotted out: 超市12号 and 超市45号)
        read alike, so a clause that differs from one already read only by its
        house number costs a dictionary look-up."""
        key = clause if _PLAIN.fullmatch(clause) else norm(clause)
        coarse = None
        if len(self._fine_shapes) >= self.COARSE_AFTER:     # a few clauses: the fine shape alone is cheaper
            coarse = self._inert.coarse(key)
            try:
                return self._shapes[coarse]
            except KeyError:
                pass
        fine = self._inert.fine(key)
        try:
            result = self._fine_shapes[fine]
        except KeyError:
            text, used, open_words = self._synonyms.apply(key)
            keywords = self._scanner.scan(text)
            result = _Clause(used, open_words, not keywords.isdisjoint(self._negations),
                             self._context_words.intersection(keywords), self._inert.fine(text))
            self._fine_shapes[fine] = result
        if coarse is not None:
            self._shapes[coarse] = result
        return result

    def _clause_readings(self, shape: str, context: frozenset[str]) -> list[tuple[tuple[str, ...], bool, dict[str, list[str]]]]:
        """The categories of one clause (by its shape), each reading's categories in annex order and whether
        they tie (categories of different departments); a 、-list is read part by part when every part
        reads on its own. `context`: the rules' context words found anywhere in the description."""
        key = (shape, context)
        try:
            return self._clause_seen[key]
        except KeyError:
            pass
        result = []
        for hits in self._clause_readings_uncached(shape, context):
            names = tuple(sorted(hits, key=self.order.__getitem__))
            result.append((names, len({self._departments_of[n] for n in names}) > 1, hits))
        self._clause_seen[key] = result
        return result

    def _clause_readings_uncached(self, text: str, anywhere: set[str]) -> list[dict[str, list[str]]]:
        if self._parts is not None:
            parts = [p for p in self._parts.split(text) if p]
            if len(parts) > 1:
                readings = [self._hits(p, anywhere) for p in parts]
                if all(readings):
                    return readings
        hits = self._hits(text, anywhere)
        return [hits] if hits else []

    def _hits(self, text: str, anywhere: set[str]) -> dict[str, list[str]]:
        """Category → keywords for the rules that match `text`, after `unless` (the more specific wins)."""
        present = self._scanner.scan(text)
        candidates = sorted({r for k in present for r in self._rules_by_keyword.get(k, ())})
        hits: dict[str, tuple[set[str], list[str]]] = {}
        for r in candidates:
            name, rule = self._flat_rules[r]
            words = _rule_words(rule, present, anywhere)
            if words is not None:
                unless, keywords = hits.setdefault(name, (set(), []))
                unless.update(rule.unless)
                keywords.extend(w for w in words if w not in keywords)
        return {name: keywords for name, (unless, keywords) in hits.items() if not unless & hits.keys()}

    def _suggest(self, text: str) -> Suggestion | None:
        """The category whose annex text shares most character bigrams with the (rewritten) clauses (Dice)."""
        grams = _bigrams(text)
        if not grams:
            return None
        best, score = None, 0.0
        for name, annex in self._bigrams.items():
            dice = 2 * len(grams & annex) / (len(grams) + len(annex))
            if dice > score:
                best, score = name, dice
        if best is None or score < self.data.suggestion_min_score:
            return None
        return Suggestion(best, round(score, 2))

    def unsettled(self, label: str, description: str | None) -> Phrase:
        """Why a row's category cannot be told, for the R13 hint: a tie, a 建议, or nothing to go on."""
        reading = self.read(description)
        if reading.ties:
            return Phrase("routing.hint_tie", {"label": label, "categories": list(reading.ties[0])})
        if reading.suggestion is not None:
            return Phrase("routing.hint_suggestion", {"label": label, "category": reading.suggestion.category,
                                                      "score": reading.suggestion.score})
        return Phrase("routing.hint_none", {"label": label})

    def former_note(self, label: str, referral: Referral) -> Phrase:
        """A 移送部门 written with a pre-2018 name: a note, not a verdict."""
        return Phrase("routing.hint_former", {"label": label, "names": list(referral.former)})

    # -- departments ------------------------------------------------------
    def referral(self, cell: str | None) -> Referral:
        """The departments a 移送部门 cell names, whatever county prefix they carry."""
        if not cell:
            return Referral((), ())
        try:
            return self._referrals[cell]
        except KeyError:
            pass
        departments: list[str] = []
        unrecognised: list[str] = []
        former: list[str] = []
        for part in split_list(cell, self._list_separators):
            key = norm(part)
            if any(w in key for w in self._former):      # 公安消防大队: neither 公安 nor 消防救援 today
                former.append(part)
                continue
            names = [name for name, words in self._department_keywords if any(w in key for w in words)]
            if not names:
                unrecognised.append(part)
            departments.extend(n for n in names if n not in departments)
        result = Referral(tuple(sorted(departments, key=self._department_order)), tuple(unrecognised), tuple(former))
        self._referrals[cell] = result
        return result

    def _department_order(self, name: str) -> int:
        return [n for n, _ in self._department_keywords].index(name)

    def referral_fits(self, categories: Iterable[str], referral: Referral) -> bool | None:
        """Referred to the department(s) of (one of) the categories; None when a pre-2018 name leaves it open.

        A category with several departments (item 5) is rightly referred to one
        of them under multi_department_rule = "one" (应先移交至主要部门)."""
        given = set(referral.departments)
        one = self.data.multi_department_rule == "one"

        def fits(category: str) -> bool:
            if self.accepts_any(category):
                return bool(referral.departments or referral.unrecognised or referral.former)
            wanted = set(self.departments_of(category))
            return bool(wanted & given) if one else wanted <= given

        results = [fits(c) for c in categories]
        if self.data.multi_category_rule == "all":
            verdict = bool(results) and all(results)
        else:
            verdict = any(results)
        if not verdict and referral.former:
            return None
        return verdict


@dataclass(frozen=True, eq=False)
class _Clause:
    """One clause as read: the synonyms applied, the keywords found (after them), negated or not, its shape.

    One object per shape (the router keeps them), compared and hashed by identity: a description's
    tuple of them is the key of its combined reading."""

    synonyms: tuple[tuple[str, str], ...]
    unresolved: tuple[str, ...]
    negated: bool
    context: frozenset[str]                  # the rules' context words in it
    shape: str                               # the rewritten clause's shape (`_Shape`)


class _Shape:
    """A clause with every run of characters that can be part of no keyword, synonym or separator blotted out.

    A clause reads exactly as its shape does, so 超市12号楼道堆放杂物 and
    超市45号楼道堆放杂物, one shape, are read once. Two shapes, the second finer:
    `coarse` blots the characters no word contains (one regex); `fine` also those
    that neither start, continue nor end one where they stand (no neighbour
    forms one of the words' two-character pieces with them), except beside a
    character of a synonym's variant, whose rewriting may give them new
    neighbours. Every match (of a keyword, synonym, separator), before and after
    the synonyms' rewriting, lies within the characters kept."""

    def __init__(self, words: Iterable[str], variants: Iterable[str]):
        words = [w for w in words if w]
        chars = {c for word in words for c in word}
        self.blot = next(c for c in "\x00\x01\ufffe\uffff" if c not in chars)
        self._single = frozenset(w for w in words if len(w) == 1)
        self._pairs = frozenset(w[i:i + 2] for w in words for i in range(len(w) - 1))
        self._variant_chars = frozenset(c for w in variants for c in w)
        self._chars = chars

    @cached_property
    def _others(self) -> re.Pattern[str]:
        """`coarse`'s pattern, built when first used (~2 ms: a router that reads few clauses never does)."""
        chars = self._chars
        # `coarse`: a character no word contains, or an ASCII one (the 2 of B2, the 3 of 3C: house numbers)
        # that `fine` would blot where it stands
        ascii_chars = sorted(c for c in chars if c.isascii() and c not in self._single)
        inert = [f"[^{_class(chars)}]" if chars else "(?s:.)"]
        if ascii_chars:
            alone = []
            for char in ascii_chars:
                before = {p[0] for p in self._pairs if p[1] == char}
                after = {p[1] for p in self._pairs if p[0] == char}
                alone.append((f"(?<![{_class(before)}])" if before else "") + re.escape(char)
                             + (f"(?![{_class(after)}])" if after else ""))
            near = f"[{_class(self._variant_chars)}]" if self._variant_chars else None
            inert.append((f"(?<!{near})" if near else "") + f"(?=[{_class(ascii_chars)}])(?:{'|'.join(alone)})"
                         + (f"(?!{near})" if near else ""))
        return re.compile(f"(?:{'|'.join(inert)})+")

    def coarse(self, text: str) -> str:
        return self._others.sub(self.blot, text)

    def fine(self, text: str) -> str:
        kept: list[str] = []
        blot, single, pairs, near = self.blot, self._single, self._pairs, self._variant_chars
        last = len(text) - 1
        for i, char in enumerate(text):
            before = text[i - 1] if i else ""
            after = text[i + 1] if i < last else ""
            if (char in single or before + char in pairs or char + after in pairs
                    or before in near or after in near) and char != blot:
                kept.append(char)
            elif not kept or kept[-1] != blot:
                kept.append(blot)
        return "".join(kept)


def _class(chars: Iterable[str]) -> str:
    """The inside of a regex character class holding exactly `chars`."""
    return "".join(sorted(re.escape(c) for c in chars))


class _Synonyms:
    """Rewrites a clause's words into the rules' words in one regex pass, longest variant first."""

    def __init__(self, entries: Iterable[Synonym], protected: Iterable[str]):
        self._entries: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for entry in entries:
            for variant in entry.variants:
                self._entries.setdefault(norm(variant), []).append(
                    (norm(entry.canonical), frozenset(norm(w) for w in entry.when)))
        words = sorted({*self._entries, *(norm(p) for p in protected)} - {""}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
        self.variants = tuple(w for w in self._entries if w)
        self.words = tuple(words) + tuple(c for entries in self._entries.values() for c, when in entries) + \
            tuple(w for entries in self._entries.values() for c, when in entries for w in when)

    def apply(self, key: str) -> tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]:
        """(rewritten clause, (as written, as read) pairs, words left alone for want of context), for a clause
        already normalised (`norm`)."""
        used: list[tuple[str, str]] = []
        unresolved: list[str] = []

        def rewrite(match: re.Match[str]) -> str:
            word = match.group(0)
            entries = self._entries.get(word, ())
            for canonical, when in entries:
                if not when or any(w in key for w in when):
                    if canonical != word and (word, canonical) not in used:
                        used.append((word, canonical))
                    return canonical
            if entries and word not in unresolved:
                unresolved.append(word)
            return word

        text = self._pattern.sub(rewrite, key) if self._pattern else key
        return text, tuple(used), tuple(unresolved)


_NOT_TEXT = re.compile(r"[^\w]|_")
# A clause of CJK ideographs, digits and lower-case ASCII is its own `norm` (nothing to normalise, strip or fold):
# most clauses, which then skip its four passes (a test holds `norm` to it, character by character).
_PLAIN = re.compile(r"[!-@\[-~\u4e00-\u9fff]*")


def _as_written(keywords: list[str], synonyms: list[tuple[str, str]]) -> list[str]:
    """Keywords in the inspector's words (电动车, not the 电动自行车 it was read as): what the reader can find."""
    out: list[str] = []
    for word in keywords:
        for written, read_as in synonyms:
            if read_as in word:
                word = word.replace(read_as, written)
                break
        if word not in out:
            out.append(word)
    return out


def _bigrams(text: str) -> frozenset[str]:
    """The character bigrams of `text`, punctuation removed."""
    text = _NOT_TEXT.sub("", text)
    return frozenset(text[i:i + 2] for i in range(len(text) - 1))


class _Scanner:
    """Finds every keyword in a clause in one regex pass (a trie of the keywords, tried at each position).

    At each position the longest keyword wins; the shorter keywords inside it
    are added from a precomputed table, so the result is exactly
    {k for k in keywords if k in clause} at a fraction of the cost."""

    def __init__(self, keywords: Iterable[str]):
        self._words = sorted({k for k in keywords if k})
        self._inside: dict[str, frozenset[str]] = {}     # a found word -> the keywords inside it, as met
        self._pattern: re.Pattern[str] | None = None      # built once COMPILE_AFTER clauses were scanned
        self._seen: dict[str, frozenset[str]] = {}

    # Building the trie regex (and the table of the words inside each word) took ~10 ms, more than a small
    # register's few clauses cost scanned word by word; a batch worker's many clauses pay for it at once.
    COMPILE_AFTER = 64

    def scan(self, clause: str) -> frozenset[str]:
        """The keywords in `clause`, memoised: distinct descriptions still share most of their clauses."""
        try:
            return self._seen[clause]
        except KeyError:
            pass
        found = self._scan(clause)
        self._seen[clause] = found
        return found

    def _scan(self, clause: str) -> frozenset[str]:
        if not self._words:
            return frozenset()
        if self._pattern is None:
            if len(self._seen) < self.COMPILE_AFTER:
                return frozenset(k for k in self._words if k in clause)
            self._pattern = re.compile("(?=(" + _trie_pattern(self._words) + "))")
        found: set[str] = set()
        for match in self._pattern.finditer(clause):
            word = match.group(1)
            if word and word not in found:
                found.update(self._within(word))
        return frozenset(found)

    def _within(self, word: str) -> frozenset[str]:
        try:
            return self._inside[word]
        except KeyError:
            inside = self._inside[word] = frozenset(w for w in self._words if w in word)
            return inside


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of `words`, longest first, shaped as a trie so it tests one branch per character."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def _rule_words(rule: _CompiledRule, present: set[str], anywhere: set[str]) -> list[str] | None:
    """The keywords by which `rule` matches a clause (the longest of each group), or None."""
    if not rule.exclude.isdisjoint(present):
        return None
    for group in rule.clause:
        if group.isdisjoint(present):
            return None
    for group in rule.context:
        if group.isdisjoint(anywhere):
            return None
    return [min(group & present, key=_longest_first) for group in rule.clause] + \
        [min(group & anywhere, key=_longest_first) for group in rule.context]


def _longest_first(word: str) -> tuple[int, str]:
    return -len(word), word


_ROUTERS: dict[int, tuple[Any, Router]] = {}


def router_of(checklist: Any) -> Router:
    """The router for a loaded checklist (built once; the annex and register vocabularies must agree)."""
    data = checklist.data.get(ANNEX)
    if not isinstance(data, AnnexData):
        raise ConfigError("error.config.data_missing", name="annex")
    cached = _ROUTERS.get(id(data))
    if cached is not None and cached[0] is data:
        return cached[1]
    vocabulary = checklist.register.vocabularies.get(VOCABULARY)
    names = [c.name for c in data.category]
    if vocabulary is None or vocabulary.values != names:
        raise ConfigError("error.annex.categories_differ", vocabulary=VOCABULARY, categories=names)
    router = Router(data, checklist.register.reader.list_separators)
    _ROUTERS[id(data)] = (data, router)
    return router


def routing(router: Router, description: str) -> dict[str, Any]:
    """What `fireaudit route` reports for one description (JSON keys are stable and English)."""
    reading = router.read(description)
    one = router.data.multi_department_rule == "one"
    categories = []
    for match in reading.matches:
        category = router.categories[match.category]
        categories.append({
            "category": category.name,
            "departments": list(category.departments),
            "any_department": category.any_department,
            "one_department_suffices": one and len(category.departments) > 1,
            "annex_item": category.item,
            "annex_text": category.annex_text,
            "keywords": list(match.keywords),
        })
    out: dict[str, Any] = {"description": description, "determined": reading.determined, "categories": categories}
    if reading.ties:
        out["ties"] = [{"categories": list(tie), "departments": [list(router.departments_of(c)) for c in tie]}
                       for tie in reading.ties]
    if reading.synonyms:
        out["synonyms"] = [{"written": w, "read_as": r} for w, r in reading.synonyms]
    if reading.unresolved:
        out["unresolved"] = list(reading.unresolved)
    if reading.suggestion is not None:
        out["suggestion"] = {"category": reading.suggestion.category, "score": reading.suggestion.score,
                             "verdict": False}
    if not reading.determined:
        out["known_categories"] = [c.name for c in router.data.category]
    return out
