"""The command line's own words in the user's language: help, click's headings and click's errors.

The language is decided before typer builds anything: `--lang en` (or `--lang=en`) anywhere on
the line, else FIREAUDIT_LANG, else Chinese. `run(app)` then builds the click command, replaces
every help text with the catalogue's ([cli] in fireaudit/messages/<lang>.toml), and renders
click's own words (Usage, Options, Error: Invalid value…, Did you mean…) from the catalogue too.
typer vendors click with its English written into f-strings, so click's error messages are
matched by pattern (CLICK_ERRORS) and re-worded; an unknown one passes through unchanged.

cli.py keeps its English help in the code for readers; what users see comes from here."""

from __future__ import annotations

import os
import re
import sys
from functools import lru_cache
from typing import Any, Sequence

from fireaudit.i18n import catalog, t

LANGS = ("zh", "en")        # the languages of fireaudit/messages/*.toml

ENV = "FIREAUDIT_LANG"

# click's English messages (typer/_click) -> catalogue key under cli_error; groups are the values
# (compiled on the first error, not at every start-up: click_patterns below).
CLICK_ERRORS: tuple[tuple[str, str], ...] = (
    ("did_you_mean", r"^(?P<head>.+?)\.? Did you mean (?P<possible>.+)\?$"),
    ("no_such_option_possible", r"^No such option: (?P<name>\S+) \(Possible options: (?P<possible>.+)\)$"),
    ("no_such_option_one", r"^No such option: (?P<name>\S+)\s+Did you mean (?P<possible>\S+)\?$"),
    ("no_such_option", r"^No such option: (?P<name>\S+)$"),
    ("no_such_command", r"^No such command (?P<name>.+)\.$"),
    ("missing_command", r"^Missing command\.$"),
    ("missing_argument", r"^Missing argument (?P<name>.+)\.$"),
    ("missing_option", r"^Missing option (?P<name>.+)\.$"),
    ("missing_parameter", r"^Missing parameter (?P<name>.+)\.$"),
    ("extra_arguments", r"^Got unexpected extra argument(?:s|\(s\))? \((?P<args>.*)\)$"),
    ("requires_argument", r"^Option (?P<name>.+) requires an argument\.$"),
    ("requires_arguments", r"^Option (?P<name>.+) requires (?P<count>\d+) arguments\.$"),
    ("takes_no_value", r"^Option (?P<name>.+) does not take a value\.$"),
    ("invalid_value_for", r"^Invalid value for (?P<name>.+?): (?P<message>.*)$"),
    ("invalid_value", r"^Invalid value: (?P<message>.*)$"),
    ("not_one_of", r"^(?P<value>.+) is not one of (?P<choices>.+)\.$"),
    ("not_choice", r"^(?P<value>.+) is not (?P<choice>'[^']*')\.$"),
    ("not_valid_type", r"^(?P<value>.+) is not a valid (?P<type>[a-z ]+)\.(?: Recognized values: .*)?$"),
    ("not_in_range", r"^(?P<value>.+) is not in the range (?P<range>.+)\.$"),
    ("path_missing", r"^(?:File|Directory|Path) (?P<name>.+) does not exist\.$"),
    ("path_is_directory", r"^(?:File|Path) (?P<name>.+) is a directory\.$"),
    ("path_is_file", r"^(?:Directory|Path) (?P<name>.+) is a file\.$"),
    ("path_unreadable", r"^(?:File|Directory|Path) (?P<name>.+) is not readable\.$"),
)
TYPE_NAMES = {"integer": "int", "int": "int", "integer range": "int", "int range": "int", "float": "float",
              "float range": "float", "boolean": "bool", "bool": "bool"}


def language(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> str:
    """`--lang X` anywhere on the line wins, then FIREAUDIT_LANG, then zh."""
    found = _lang_in(list(sys.argv[1:] if argv is None else argv))
    if found in LANGS:
        return found
    value = (os.environ if environ is None else environ).get(ENV, "").strip().lower()
    return value if value in LANGS else "zh"


def _lang_in(args: list[str]) -> str | None:
    return option_value(args, "--lang")


def option_value(args: list[str], name: str) -> str | None:
    """The last `name X` or `name=X` before `--` (click keeps the last), else None."""
    found = None
    for n, arg in enumerate(args):
        if arg == "--":
            break
        if arg == name and n + 1 < len(args):
            found = args[n + 1]
        elif arg.startswith(name + "="):
            found = arg.split("=", 1)[1]
    return found


def arguments(args: list[str], command_names: Sequence[str], lang: str, takes_lang: set[str]) -> list[str]:
    """The line with `--lang` moved after the command (so it may stand anywhere), or added from
    FIREAUDIT_LANG; dropped for a command that has no --lang."""
    rest: list[str] = []
    n = 0
    while n < len(args):
        arg = args[n]
        if arg == "--":
            rest += args[n:]
            break
        if arg == "--lang" and n + 1 < len(args):
            n += 2
            continue
        if arg.startswith("--lang="):
            n += 1
            continue
        rest.append(arg)
        n += 1
    command = next((i for i, a in enumerate(rest) if a in command_names), None)
    if command is None or rest[command] not in takes_lang:
        return rest
    return rest[:command + 1] + ["--lang", lang] + rest[command + 1:]


def localise(command: Any, lang: str) -> Any:
    """Put the catalogue's help on the click group, its commands and their parameters."""
    command.help = t(lang, "cli.app") + "\n\n" + t(lang, "cli.exit_codes")
    command.options_metavar = t(lang, "cli_click.options_metavar")
    command.subcommand_metavar = t(lang, "cli_click.subcommand_metavar")
    for name, sub in command.commands.items():
        sub.help = t(lang, f"cli.{name}.help")
        sub.short_help = _first_sentence(sub.help, lang)
        sub.options_metavar = t(lang, "cli_click.options_metavar")
        for param in sub.params:
            text = _param_help(name, param.name, lang)
            if text is not None:
                param.help = text
            metavar = catalog(lang).get(f"cli_metavar.{param.name}")
            if metavar and param.param_type_name == "argument":
                param.metavar = metavar
    return command


def _param_help(command: str, param: str, lang: str) -> str | None:
    texts = catalog(lang)
    for key in (f"cli.{command}.{param}", f"cli.param.{param}"):
        if key in texts:
            return t(lang, key)
    return None


def _first_sentence(text: str, lang: str) -> str:
    mark = "。" if lang == "zh" else ". "
    head = text.split(mark, 1)[0]
    return head + ("。" if lang == "zh" and mark in text else "" if lang == "zh" else ".")


@lru_cache(maxsize=None)
def click_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((key, re.compile(pattern, re.S)) for key, pattern in CLICK_ERRORS)


def click_error(message: str, lang: str) -> str:
    """One of click's English error messages in `lang` (unchanged when no pattern knows it)."""
    if lang == "en":
        return message
    for key, pattern in click_patterns():
        match = pattern.match(message.strip())
        if match:
            values = {k: v for k, v in match.groupdict().items() if v is not None}
            for name in ("message", "head"):
                if name in values:
                    values[name] = click_error(values[name], lang).rstrip("。.")
            if "type" in values:
                values["type"] = t(lang, f"cli_error.type_{TYPE_NAMES.get(values['type'], 'value')}")
            return t(lang, f"cli_error.{key}", **values)
    return message


_current = {"lang": "zh"}   # the language the patched click words use; set by install() on every run


def _lang() -> str:
    return _current["lang"]


def install(lang: str) -> None:
    """Route click's own words (headings, Usage, the help option, Error:) through the catalogue.

    The patches are made once per process and read the language of the current run, so a second
    run in the same process (tests) speaks its own language."""
    _current["lang"] = lang
    import typer.core     # not typer.rich_utils: importing rich costs start-up, and help is plain (cli.py)
    from typer._click import exceptions, formatting
    from typer._click.core import Command

    words = {"Arguments": "arguments", "Options": "options", "Commands": "commands", "required": "required",
             "default: {default}": "default", "env var: {var}": "env_var", "Aborted!": "aborted",
             "Missing command.": "missing_command", "No such command {name!r}.": "no_such_command",
             "(dynamic)": "dynamic"}

    def gettext(message: str) -> str:
        key = words.get(message)
        if key is None:
            return message
        text = t(_lang(), f"cli_click.{key}")
        return text.replace("{name}", "{name!r}") if key == "no_such_command" else text

    typer.core._ = gettext
    if getattr(formatting.HelpFormatter.write_usage, "_fireaudit", False):
        return
    write_usage = formatting.HelpFormatter.write_usage

    def localised_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        write_usage(self, prog, args, t(_lang(), "cli_click.usage") if prefix is None else prefix)

    def localised_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{t(_lang(), 'cli_click.heading', heading=heading)}\n")

    localised_usage._fireaudit = True  # type: ignore[attr-defined]
    formatting.HelpFormatter.write_usage = localised_usage
    formatting.HelpFormatter.write_heading = localised_heading

    get_help_option = Command.get_help_option

    def localised_help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None:
            option.help = t(_lang(), "cli_click.help_option")
        return option

    Command.get_help_option = localised_help_option

    def show(self, file=None) -> None:
        from typer._click.utils import echo

        stream = file or sys.stderr
        ctx = getattr(self, "ctx", None)
        if ctx is not None:
            hint = ""
            if ctx.command.get_help_option(ctx) is not None:
                hint = t(_lang(), "cli_click.try_help", command=ctx.command_path,
                         option=ctx.help_option_names[0]) + "\n"
            echo(f"{ctx.get_usage()}\n{hint}", file=stream, color=ctx.color)
        echo(t(_lang(), "cli_click.error", message=click_error(self.format_message(), _lang())), file=stream)

    exceptions.UsageError.show = show
    exceptions.ClickException.show = show


def _interruptible(callback: Any, lang: str) -> Any:
    """Ctrl-C in a command becomes Interrupted (said as 已中断。 by cli.main), not click's silent exit 130."""
    import functools

    from fireaudit.errors import Interrupted

    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except KeyboardInterrupt:
            raise Interrupted(t(lang, "ux.interrupted")) from None

    return run


def run(app: Any) -> Any:
    """Run the typer `app` with help, click's words and `--lang` handled as this module says."""
    import typer.main

    lang = language()
    install(lang)
    command = localise(typer.main.get_command(app), lang)
    for sub in command.commands.values():
        sub.callback = _interruptible(sub.callback, lang)
    takes_lang = {name for name, sub in command.commands.items() if any(p.name == "lang" for p in sub.params)}
    args = arguments(sys.argv[1:], list(command.commands), lang, takes_lang)
    return command.main(args=args, prog_name="fireaudit")


# ---------------------------------------------------------------- the top-level help, without typer
# `fireaudit` and `fireaudit --help` print the command list; building typer's command for that
# (importing typer and its click, inspecting every command's signature) is most of the start-up.
# quick_help renders the same page from the same catalogue texts, laid out as click lays out
# typer's group (typer/_click/formatting.py and core.py); tests/test_help_lang.py compares the
# two byte for byte, in both languages and at several terminal widths. Any other line goes to typer.

def commands(lang: str) -> list[str]:
    """The commands, in the catalogue's order: every [cli.<command>] table with a help text."""
    return [key[4:-5] for key in catalog(lang) if key.startswith("cli.") and key.endswith(".help")]


def quick_help(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> int | None:
    """Print the top-level help for `fireaudit [--help]` (with --lang anywhere) and return the exit
    status typer would give (0; 2 without arguments, the help then going to stderr); None otherwise."""
    env = os.environ if environ is None else environ
    args = list(sys.argv[1:] if argv is None else argv)
    if env.get("_FIREAUDIT_COMPLETE"):   # shell completion: typer's business
        return None
    lang = language(args, env)
    rest = arguments(args, (), lang, set())
    if rest not in ([], ["--help"]):
        return None
    import shutil

    page = top_help(lang, max(min(shutil.get_terminal_size().columns, 80) - 2, 50))
    from fireaudit.pipes import closable_stdout

    with closable_stdout():
        stream = sys.stdout if rest else sys.stderr
        stream.write(page + "\n")
        stream.flush()
    return 0 if rest else 2


def top_help(lang: str, width: int) -> str:
    """`fireaudit --help` as typer's group renders it after localise(), at `width` columns."""
    out: list[str] = []
    prefix = t(lang, "cli_click.usage") + "fireaudit "
    usage = f"{t(lang, 'cli_click.options_metavar')} {t(lang, 'cli_click.subcommand_metavar')}"
    if width >= len(prefix) + 20:
        out.append(_wrap(usage, width, prefix, " " * len(prefix)))
    else:
        indent = " " * (len(t(lang, "cli_click.usage")) + 4)
        out += [prefix, "\n", _wrap(usage, width, indent, indent)]
    out.append("\n")
    text = _cleandoc(t(lang, "cli.app") + "\n\n" + t(lang, "cli.exit_codes")).partition("\f")[0]
    if text:
        out += ["\n", _wrap(text, width, "  ", "  ", paragraphs=True), "\n"]
    out.append("\n" + t(lang, "cli_click.heading", heading=t(lang, "cli_click.options")) + "\n")
    out += _definitions([("--help", t(lang, "cli_click.help_option"))], width)
    names = commands(lang)
    if names:
        rows = [(name, _cleandoc(_first_sentence(t(lang, f"cli.{name}.help"), lang)).strip()) for name in names]
        out.append("\n" + t(lang, "cli_click.heading", heading=t(lang, "cli_click.commands")) + "\n")
        out += _definitions(rows, width)
    return "".join(out).rstrip("\n")


def _definitions(rows: list[tuple[str, str]], width: int, indent: int = 2) -> list[str]:
    """click's HelpFormatter.write_dl (col_max 30, col_spacing 2) inside a section."""
    out: list[str] = []
    first_col = min(max(len(first) for first, _ in rows), 30) + 2
    for first, second in rows:
        out.append(" " * indent + first)
        if not second:
            out.append("\n")
            continue
        if len(first) <= first_col - 2:
            out.append(" " * (first_col - len(first)))
        else:
            out.append("\n" + " " * (first_col + indent))
        lines = _wrap(second, max(width - first_col - 2, 10), paragraphs=True).splitlines()
        out.append(f"{lines[0]}\n" if lines else "\n")
        out += [" " * (first_col + indent) + line + "\n" for line in lines[1:]]
    return out


def _wrap(text: str, width: int, initial: str = "", subsequent: str = "", paragraphs: bool = False) -> str:
    """click's formatting.wrap_text (with its TextWrapper: long words cut, \\b blocks left as written)."""
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _handle_long_word(self, reversed_chunks, cur_line, cur_len, width):
            space_left = max(width - cur_len, 1)
            last = reversed_chunks[-1]
            cur_line.append(last[:space_left])
            reversed_chunks[-1] = last[space_left:]

    text = text.expandtabs()
    wrapper = Wrapper(width, initial_indent=initial, subsequent_indent=subsequent, replace_whitespace=False)
    if not paragraphs:
        return wrapper.fill(text)
    blocks: list[tuple[int, bool, str]] = []
    lines: list[str] = []
    indent: int | None = None

    def flush() -> None:
        if lines:
            raw = lines[0].strip() == "\b"
            blocks.append((indent or 0, raw, "\n".join(lines[1:]) if raw else " ".join(lines)))
            lines.clear()

    for line in text.splitlines():
        if not line:
            flush()
            indent = None
            continue
        if indent is None:
            stripped = line.lstrip()
            indent, line = len(line) - len(stripped), stripped
        lines.append(line)
    flush()
    done = []
    for extra, raw, block in blocks:
        wrapper.initial_indent, wrapper.subsequent_indent = initial + " " * extra, subsequent + " " * extra
        if raw:
            done.append("\n".join((wrapper.subsequent_indent if n else wrapper.initial_indent) + line
                                  for n, line in enumerate(block.splitlines())))
        else:
            done.append(wrapper.fill(block))
    return "\n\n".join(done)


def _cleandoc(doc: str) -> str:
    """inspect.cleandoc, without importing inspect (and its ast and dis) for it."""
    lines = doc.expandtabs().split("\n")
    margin = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.lstrip()), default=None)
    lines[0] = lines[0].lstrip()
    if margin is not None:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)
