"""`python -m fireaudit` and the `fireaudit` script: the top-level help without building typer's command."""

import sys


def main() -> None:
    from fireaudit.cli_text import quick_help

    status = quick_help()
    if status is not None:
        sys.exit(status)
    from fireaudit.cli import main as run

    run()


if __name__ == "__main__":
    main()
