"""`python -m fireaudit` and the `fireaudit` script.

Two things happen before typer is imported: the top-level help is printed without it
(cli_text.quick_help), and for the commands that parse workbooks in a worker process
(check, audit: runner.audit_files) that worker is forked at once, so it imports the
engine and loads the checklist while this process builds the command line."""

import sys

PARSING = ("check", "audit")   # commands whose first worker is runner.init_worker(--config)


def main() -> None:
    from fireaudit.cli_text import quick_help

    try:
        status = quick_help()
        if status is not None:
            sys.exit(status)
        spare_worker(sys.argv[1:])
        from fireaudit.cli import main as run

        run()
    finally:
        _leave_quickly()


def _leave_quickly() -> None:
    """At exit the interpreter's cyclic collector walks every object still alive (typer, rich, the
    engine, the result) again and again while the modules are torn down: ~50 ms of a 0.3 s `check`.
    They are freed with the process anyway: gc.freeze takes them out of the collector's sight. Files
    are closed by then (every report is written and closed before the command returns; standard
    output and error are flushed by the interpreter whatever the collector does)."""
    import gc

    gc.freeze()


def spare_worker(args: list[str]) -> None:
    """Start check's or audit's worker early (pool.prestart), when a core is idle. A guess from the raw
    line: the pool uses the spare only when its --config is the one typer parsed, else the parent
    loads the checklist first and forks its worker with it (runner.audit_files)."""
    import os

    from fireaudit.cli_text import arguments, language, option_value

    if os.environ.get("FIREAUDIT_NO_ISOLATION") == "1":
        return
    rest = arguments(args, (), language(args), set())
    if not rest or rest[0] not in PARSING or "--help" in rest:
        return
    from fireaudit.pool import idle_core, prestart

    if not idle_core():   # both would load the engine and the checklist on one core: the serial way is shorter
        return

    config = option_value(rest, "--config")
    ahead = rest[0] == "audit" and (option_value(rest, "-o") or option_value(rest, "--output")) is not None
    prestart("fireaudit.runner", "init_worker", (config, True) if ahead else (config,))


if __name__ == "__main__":
    main()
