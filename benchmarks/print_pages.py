"""How many pages each Excel output of the demo prints on, per sheet, through LibreOffice.

    python benchmarks/print_pages.py [--tree DIR] [--keep PDFDIR]      (needs soffice on PATH)

Runs `fireaudit audit --demo --annotate -o OUT --format xlsx` and `fireaudit batch samples -o OUT`
from the tree (this checkout by default, or an older one unpacked with `git archive`), then prints
every visible sheet of every .xlsx alone to PDF and counts its pages: what a clerk gets from the
printer, before and after a change to the print setup."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent


def fireaudit(tree: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, "-m", "fireaudit", *args], cwd=tree, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fireaudit {' '.join(args)} exited {proc.returncode}: {proc.stderr[-500:]}")


def sheet_copies(path: Path, into: Path) -> list[tuple[str, Path]]:
    """One copy of the workbook per visible sheet, the other sheets hidden: each prints alone."""
    names = [s.title for s in load_workbook(path, read_only=True).worksheets if s.sheet_state == "visible"]
    copies = []
    for n, name in enumerate(names):
        book = load_workbook(path)
        for sheet in book.worksheets:
            sheet.sheet_state = "visible" if sheet.title == name else "hidden"
        book.active = book.sheetnames.index(name)
        copy = into / f"{path.stem}--{n}.xlsx"
        book.save(copy)
        copies.append((name, copy))
    return copies


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--keep", type=Path, help="copy the PDFs here (to look at them: pdftoppm -png)")
    options = parser.parse_args()
    tree = options.tree.resolve()
    if shutil.which("soffice") is None:
        raise SystemExit("soffice (LibreOffice) is not on PATH")
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        fireaudit(tree, "audit", "--demo", "--annotate", "-o", str(work / "audit"), "--format", "xlsx")
        fireaudit(tree, "batch", str(tree / "samples"), "-o", str(work / "batch"), "--format", "xlsx")
        books = sorted((work / "audit").glob("*.xlsx")) + sorted((work / "batch").rglob("汇总*.xlsx"))
        singles = work / "singles"
        singles.mkdir()
        table = [(str(book.relative_to(work)), name, copy) for book in books for name, copy in sheet_copies(book, singles)]
        subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--convert-to",
                        "pdf", "--outdir", str(work / "pdf"), *[str(c) for _, _, c in table]],
                       capture_output=True, check=True, timeout=600)
        for book, name, copy in table:
            print(f"{pages(work / 'pdf' / (copy.stem + '.pdf')):3d}  {book}  {name}")
            if options.keep:
                options.keep.mkdir(parents=True, exist_ok=True)
                shutil.copy(work / "pdf" / (copy.stem + ".pdf"), options.keep / f"{book.replace('/', '_')}--{name}.pdf")


if __name__ == "__main__":
    main()
