"""The annex's referral routing: which department a refused hazard goes to.

Shared by the R13 checks and `fireaudit route`. The categories, departments
and keyword rules are data (checklists/annex.toml); this module only reads
them. Inference and department parsing are memoised per distinct text, so a
100,000-row hazard sheet costs one inference per distinct description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import msgspec

from fireaudit.checklist.loader import DATA_SCHEMAS
from fireaudit.errors import ConfigError
from fireaudit.textnorm import clean, norm, prefix, split_list

ANNEX = "annex"
VOCABULARY = "隐患类别"


# ---------------------------------------------------------------- the data's shape
class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class Rule(_Strict):
    clause: list[list[str]]
    context: list[list[str]] = []
    unless: list[str] = []
    exclude: list[str] = []


class Category(_Strict):
    name: str
    item: str
    annex_text: str
    departments: list[str]
    rules: list[Rule] = []
    any_department: bool = False


class Department(_Strict):
    name: str
    keywords: list[str]
    source: str


class AnnexData(_Strict):
    source: str
    multi_category_rule: str
    multi_category_source: str
    clause_separators: list[str]
    negations: list[str]
    negations_source: str
    department: list[Department]
    category: list[Category]
    keyword_sets: dict[str, list[str]] = {}


DATA_SCHEMAS[ANNEX] = AnnexData


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Match:
    """One category a description was read as, and the keywords that decided it."""

    category: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Referral:
    """Departments named in a 移送部门 cell: recognised (canonical) and not."""

    departments: tuple[str, ...]
    unrecognised: tuple[str, ...]


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
                    raise ConfigError(f"checklists/annex.toml: category {category.name}: unknown department {name!r}")
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
        self._negations = frozenset(norm(n) for n in data.negations)
        self._scanner = _Scanner([*self._keywords, *self._negations])
        self._list_separators = list(list_separators)
        self._inferred: dict[str, tuple[Match, ...]] = {}
        self._referrals: dict[str, Referral] = {}

    def _excluded(self) -> set[str]:
        return {k for _, rules in self._rules for r in rules for k in r.exclude}

    def _expand(self, owner: str, group: list[str]) -> frozenset[str]:
        words: set[str] = set()
        for word in group:
            if word.startswith("@"):
                if word[1:] not in self.data.keyword_sets:
                    raise ConfigError(f"checklists/annex.toml: category {owner}: no keyword set {word!r}")
                words.update(norm(w) for w in self.data.keyword_sets[word[1:]])
            else:
                words.add(norm(word))
        return frozenset(words)

    def _compile(self, owner: str, rule: Rule) -> _CompiledRule:
        if not rule.clause:
            raise ConfigError(f"checklists/annex.toml: category {owner}: a rule needs at least one clause group")
        for name in rule.unless:
            if name not in {c.name for c in self.data.category}:
                raise ConfigError(f"checklists/annex.toml: category {owner}: unless names unknown category {name!r}")
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
        """The categories a free-text 隐患描述 reads as (empty: cannot tell)."""
        if not description:
            return ()
        try:
            return self._inferred[description]
        except KeyError:
            result = self._infer(description)
            self._inferred[description] = result
            return result

    def _infer(self, description: str) -> tuple[Match, ...]:
        text = clean(prefix(description)).casefold()     # a very long text: its prefix only (limits.toml)
        clauses = [self._scanner.scan(c) for c in self._splitter.split(text) if c]
        clauses = [c for c in clauses if c and c.isdisjoint(self._negations)]
        if not clauses:
            return ()
        present_anywhere = set().union(*clauses)
        found: dict[str, list[str]] = {}
        for present in clauses:
            candidates = sorted({r for k in present for r in self._rules_by_keyword.get(k, ())})
            hits: dict[str, tuple[set[str], list[str]]] = {}
            for r in candidates:
                name, rule = self._flat_rules[r]
                words = _rule_words(rule, present, present_anywhere)
                if words is not None:
                    unless, keywords = hits.setdefault(name, (set(), []))
                    unless.update(rule.unless)
                    keywords.extend(w for w in words if w not in keywords)
            for name, (unless, keywords) in hits.items():
                if unless & hits.keys():
                    continue
                found.setdefault(name, [])
                found[name].extend(w for w in keywords if w not in found[name])
        ordered = sorted(found, key=self.order.__getitem__)
        return tuple(Match(name, tuple(found[name])) for name in ordered)

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
        for part in split_list(cell, self._list_separators):
            key = norm(part)
            names = [name for name, words in self._department_keywords if any(w in key for w in words)]
            if not names:
                unrecognised.append(part)
            departments.extend(n for n in names if n not in departments)
        result = Referral(tuple(sorted(departments, key=self._department_order)), tuple(unrecognised))
        self._referrals[cell] = result
        return result

    def _department_order(self, name: str) -> int:
        return [n for n, _ in self._department_keywords].index(name)

    def referral_fits(self, categories: Iterable[str], referral: Referral) -> bool:
        """Referred to the departments of (one of) the categories: all of that category's departments."""
        given = set(referral.departments)

        def fits(category: str) -> bool:
            if self.accepts_any(category):
                return bool(referral.departments or referral.unrecognised)
            return set(self.departments_of(category)) <= given

        results = [fits(c) for c in categories]
        if self.data.multi_category_rule == "all":
            return bool(results) and all(results)
        return any(results)


class _Scanner:
    """Finds every keyword in a clause in one regex pass (a trie of the keywords, tried at each position).

    At each position the longest keyword wins; the shorter keywords inside it
    are added from a precomputed table, so the result is exactly
    {k for k in keywords if k in clause} at a fraction of the cost."""

    def __init__(self, keywords: Iterable[str]):
        words = sorted({k for k in keywords if k})
        self._inside = {k: frozenset(w for w in words if w in k) for k in words}
        self._pattern = re.compile("(?=(" + _trie_pattern(words) + "))") if words else None
        self._seen: dict[str, frozenset[str]] = {}

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
        if self._pattern is None:
            return frozenset()
        found: set[str] = set()
        for match in self._pattern.finditer(clause):
            word = match.group(1)
            if word and word not in found:
                found.update(self._inside[word])
        return frozenset(found)


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
        raise ConfigError("checklists/annex.toml is missing or was not validated")
    cached = _ROUTERS.get(id(data))
    if cached is not None and cached[0] is data:
        return cached[1]
    vocabulary = checklist.register.vocabularies.get(VOCABULARY)
    names = [c.name for c in data.category]
    if vocabulary is None or vocabulary.values != names:
        raise ConfigError(
            "checklists/annex.toml categories and register.toml vocabularies.\"隐患类别\" must list the same "
            f"categories in the same order; annex: {'、'.join(names)}")
    router = Router(data, checklist.register.reader.list_separators)
    _ROUTERS[id(data)] = (data, router)
    return router


def routing(router: Router, description: str) -> dict[str, Any]:
    """What `fireaudit route` reports for one description (JSON keys are stable and English)."""
    matches = router.infer(description)
    categories = []
    for match in matches:
        category = router.categories[match.category]
        categories.append({
            "category": category.name,
            "departments": list(category.departments),
            "any_department": category.any_department,
            "annex_item": category.item,
            "annex_text": category.annex_text,
            "keywords": list(match.keywords),
        })
    out: dict[str, Any] = {"description": description, "determined": bool(categories), "categories": categories}
    if not categories:
        out["known_categories"] = [c.name for c in router.data.category]
    return out
