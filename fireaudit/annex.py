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
from fireaudit.textnorm import norm, split_list

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
        self._splitter = re.compile("|".join(re.escape(s) for s in data.clause_separators) or r"\n")
        self._negations = tuple(norm(n) for n in data.negations)
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
        text = norm(description)
        present_anywhere = {k for k in self._keywords if k in text}
        if not present_anywhere:
            return ()
        found: dict[str, list[str]] = {}
        for clause in self._splitter.split(description):
            clause = norm(clause)
            if not clause or any(n in clause for n in self._negations):
                continue
            present = {k for k in present_anywhere if k in clause}
            if not present:
                continue
            hits: dict[str, tuple[set[str], list[str]]] = {}
            for name, rules in self._rules:
                for rule in rules:
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


def _rule_words(rule: _CompiledRule, present: set[str], anywhere: set[str]) -> list[str] | None:
    """The keywords by which `rule` matches a clause, or None."""
    if rule.exclude & present:
        return None
    words: list[str] = []
    for group in rule.clause:
        hit = sorted(group & present, key=lambda w: (-len(w), w))
        if not hit:
            return None
        words.append(hit[0])
    for group in rule.context:
        hit = sorted(group & anywhere, key=lambda w: (-len(w), w))
        if not hit:
            return None
        words.append(hit[0])
    return words


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
