"""The Markdown gap report: jinja2 templates over the township view, every value escaped.

Autoescape is off (this is Markdown, not HTML), but the environment's
`finalize` runs `md_escape` on every `{{ … }}` output, so a user's own
template cannot forget to escape a value from a workbook. Template text
itself (the structure) is written literally; `| raw` opts a value out."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fireaudit.errors import ConfigError
from fireaudit.i18n import t
from fireaudit.resources import data_dir
from fireaudit.result import AuditRun, TownshipAudit

TEMPLATE = "township.md.j2"
MAX_TEMPLATE_BYTES = 256 * 1024        # a report template is a few KiB

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# GFM's extended autolinks start at `http://`, `https://`, `ftp://`, `www.` or an e-mail address:
# a backslash before the `:`, `.` or `@` keeps such text plain.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp)(:)(?=//)|\b(www)(\.)|(?<=[\w.+-])(@)(?=[\w-]+\.)")
_LINE_BREAK = re.compile(r"\r\n|[\r\n\t\x0b\x0c\x85\u2028\u2029]")
# ASCII punctuation that starts inline syntax in CommonMark or GFM (tables, strikethrough,
# autolinks, HTML, entities) or math on GitHub ($); each is backslash-escaped.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&$#])")
# What would start a block at a line start: a bullet, a setext underline or
# thematic break (`---`, `===`), an ordered-list number (`1.`, `1)`).
_BLOCK_START = re.compile(r"^([-+])(?=\s|$)|^([-=])(?=[-=\s]*$)|^(\d+)([.)])(?=\s|$)")


class MdText(str):
    """Text already safe for Markdown; `finalize` leaves it alone."""


def md_escape(value: Any) -> MdText:
    """`value` as inline Markdown text that renders as exactly itself, on one line."""
    if isinstance(value, MdText):
        return value
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text)
    text = _LINE_BREAK.sub(" ", text).strip()   # leading spaces would start a code block
    text = _INLINE.sub(r"\\\1", text)
    text = _AUTOLINK.sub(_break_autolink, text)
    text = _BLOCK_START.sub(_escape_block_start, text)
    return MdText(text)


def _break_autolink(match: re.Match) -> str:
    scheme, colon, www, dot, at = match.groups()
    if scheme:
        return f"{scheme}\\{colon}"
    if www:
        return f"{www}\\{dot}"
    return f"\\{at}"


def _escape_block_start(match: re.Match) -> str:
    bullet, rule, number, dot = match.groups()
    return f"{number}\\{dot}" if number else f"\\{bullet or rule}"


def raw(value: Any) -> MdText:
    """Opt a template value out of escaping (only for text the template author controls)."""
    return MdText("" if value is None else str(value))


@lru_cache(maxsize=8)
def environment(templates: Path | None, lang: str):
    """A sandboxed jinja2 environment over `templates` (default: the shipped report_templates/).

    Cached, so a batch compiles the template once; jinja2 still reloads a template whose file changed."""
    from jinja2 import StrictUndefined
    from jinja2.loaders import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    directory = templates or data_dir("report_templates")

    class CheckedLoader(FileSystemLoader):
        """A user's template directory read as strictly as a workbook: UTF-8, bounded size (exit 2 otherwise)."""

        def get_source(self, environment, template):
            import os

            for folder in self.searchpath:
                path = os.path.join(folder, *template.split("/"))
                if os.path.isfile(path) and os.path.getsize(path) > MAX_TEMPLATE_BYTES:
                    raise ConfigError("template_check.too_large", path=path, limit=MAX_TEMPLATE_BYTES >> 10)
            try:
                return super().get_source(environment, template)
            except UnicodeDecodeError as exc:
                raise ConfigError("template_check.encoding", path=str(Path(directory) / template),
                                  offset=exc.start) from None

    env = SandboxedEnvironment(
        loader=CheckedLoader(str(directory)),
        autoescape=False,
        finalize=md_escape,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["raw"] = raw
    env.globals["t"] = lambda key, **params: t(lang, key, **params)
    return env


def load_template(templates: Path | None, lang: str = "zh"):
    """The township template, or a ConfigError naming the file that was expected and where."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    env = environment(templates, lang)
    directory = templates or data_dir("report_templates")
    try:
        return env.get_template(TEMPLATE)
    except TemplateNotFound:
        raise ConfigError("report.template_missing", directory=str(directory), name=TEMPLATE) from None
    except TemplateSyntaxError as exc:
        raise ConfigError("report.template_error", name=exc.filename or TEMPLATE, line=exc.lineno,
                          error=exc.message) from None


def render(run: AuditRun, audit: TownshipAudit, options) -> str:
    from jinja2 import TemplateError

    from fireaudit.reports.view import township_view

    template = load_template(options.templates, options.lang)
    view = township_view(run, audit, options.checklist, options.lang)
    try:
        text = template.render(report=view)
    except RecursionError:
        raise ConfigError("template_check.recursion", name=TEMPLATE) from None
    except TemplateError as exc:
        line = getattr(exc, "lineno", None) or "?"
        raise ConfigError("report.template_error", name=TEMPLATE, line=line, error=str(exc)) from None
    return tidy(text)


def tidy(text: str) -> str:
    """At most one blank line in a row and one final newline, whatever the template's whitespace."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip("\n") + "\n"
