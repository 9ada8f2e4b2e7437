"""How a batch renders (fireaudit/batch.py render_parallel): forked render workers inherit the run
and are sent only each township's index; spawned ones (FIREAUDIT_NO_ISOLATION=1 takes the same
path) get each township pickled. Both must write the same bytes, whatever the number of workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.builders import compliant, county_register
from tests.cli_helper import run_forked

TOWNSHIPS = [f"第{n}镇" for n in range(1, 8)]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path]:
    """Seven townships (some without a drill, a duplicate: a conflict, one not supervised) and the county register."""
    root = tmp_path_factory.mktemp("render")
    folder = root / "registers"
    folder.mkdir()
    for n, name in enumerate(TOWNSHIPS):
        reg = compliant("伊宁市", name, "镇", "2024Q2")
        if n % 3 == 0:
            drills = reg.sheets["演练"]
            drills.rows = [r for r in drills.rows if r[3] != "应急疏散演练"]
        reg.save(folder / f"{name}.xlsx")
    compliant("伊宁市", "第2镇", "镇", "2024Q2").save(folder / "第2镇-重复.xlsx")
    county = county_register(TOWNSHIPS, supervised=TOWNSHIPS[1:]).save(root / "county.xlsx")
    return folder, county


def _batch(inputs: tuple[Path, Path], out: Path, jobs: int, isolated: bool) -> dict[str, bytes]:
    folder, county = inputs
    result = run_forked("batch", str(folder), "-o", str(out), "--jobs", str(jobs), "--format", "md,xlsx,json",
                        "--county-register", str(county),
                        env={} if isolated else {"FIREAUDIT_NO_ISOLATION": "1"})
    assert result.code == 3, result.output      # the duplicate is a conflict
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_inherited_and_pickled_townships_render_the_same_bytes(inputs, tmp_path):
    inherited = _batch(inputs, tmp_path / "forked", 2, True)
    pickled = _batch(inputs, tmp_path / "pickled", 2, False)
    serial = _batch(inputs, tmp_path / "serial", 1, True)
    assert len(inherited) == 3 * (len(TOWNSHIPS) - 1) + 3      # every township but the conflict's, and 汇总.*
    assert inherited == pickled == serial


def test_the_output_folder_is_synced_once_after_every_township_is_renamed(inputs, tmp_path, monkeypatch, checklist):
    """Each township's files are durable before their rename (files.commit_set); the folder that holds
    the renames is synced after the last of them, not once per township."""
    import os
    import signal

    from fireaudit.batch import BatchRequest, run_batch
    from fireaudit.reports import files

    log = tmp_path / "log"
    real_replace, real_sync = os.replace, files._sync_folder

    def logged(line: str) -> None:
        with open(log, "a", encoding="utf-8") as handle:   # the workers are forked: one file for all
            handle.write(line + "\n")

    def replace(source, target):
        logged(f"rename {Path(target).parent}")
        return real_replace(source, target)

    def sync(folder):
        logged(f"sync {folder}")
        return real_sync(folder)

    monkeypatch.setattr(files.os, "replace", replace)
    monkeypatch.setattr(files, "_sync_folder", sync)
    out = tmp_path / "out"
    previous = signal.getsignal(signal.SIGTERM)
    try:
        run_batch(BatchRequest(inputs[0], out, checklist, ["md", "json"], jobs=2))
    finally:
        signal.signal(signal.SIGTERM, previous)
    lines = log.read_text(encoding="utf-8").splitlines()
    renames = [n for n, line in enumerate(lines) if line == f"rename {out}"]
    syncs = [n for n, line in enumerate(lines) if line == f"sync {out}"]
    assert len(renames) == 2 * (len(TOWNSHIPS) - 1) + 3          # the townships' md and json, then 汇总.*
    assert syncs and syncs[0] > renames[-4] and len(syncs) <= 2   # after the townships'; the roll-up's own


def test_the_parent_freezes_the_townships_while_they_come_back_and_thaws_them_after(inputs, tmp_path, checklist):
    """The collector does not walk every earlier township again as each new one is unpickled; a caller
    that goes on after the batch (this test process) collects as before."""
    import gc
    import signal
    from contextlib import nullcontext

    from fireaudit.batch import BatchProgress, BatchRequest, run_batch

    frozen: list[int] = []
    progress = BatchProgress(finished=lambda path, ok: frozen.append(gc.get_freeze_count()))
    previous = signal.getsignal(signal.SIGTERM)
    try:
        run_batch(BatchRequest(inputs[0], tmp_path / "out", checklist, ["json"], jobs=2),
                  lambda: nullcontext(progress))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert len(frozen) == len(TOWNSHIPS) + 1 and all(count > 0 for count in frozen)
    assert gc.get_freeze_count() == 0
