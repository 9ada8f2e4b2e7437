"""未整改 read against the period being audited, not only the register's own 报告期.

The reader turns 未整改 (no refusal in the row) into 逾期未改 when its deadline
passed before the register's own period ended, and leaves it not understood
otherwise (Table.ambiguous keeps every such cell). Audited for another period
(`--period`, or a register without a 报告期), the same cells are read again
against that period's end: a deadline passed by then is 逾期未改; otherwise
the cell is a register error (`ambiguous-status`) and R13 is `unknown`."""

from __future__ import annotations

from dataclasses import replace

from fireaudit.period import Period
from fireaudit.register.model import Note, Register, RegisterError, Table

SHEET, COLUMN, OVERDUE = "检查隐患", "整改状态", "逾期未改"


def at_period(register: Register, period: Period) -> Register:
    """`register` with its 未整改 cells read against `period`'s end (the same object when nothing changes)."""
    table = register.table(SHEET)
    if table is None or not table.ambiguous:
        return register
    end = period.end
    deadlines = table.values.get("整改期限") or [None] * len(table)
    overdue = {p for p in table.ambiguous if deadlines[p] is not None and deadlines[p] < end}
    current = {p for p in table.ambiguous if table.values[COLUMN][p] == OVERDUE}
    if overdue == current:
        return register
    values = dict(table.values)
    values[COLUMN] = list(table.values[COLUMN])
    unparsed = {c: dict(cells) for c, cells in table.unparsed.items()}
    cells = unparsed.setdefault(COLUMN, {})
    refs = {(b.evidence.sheet, b.evidence.cell) for b in table.ambiguous.values()}
    errors = [e for e in register.errors if (e.sheet, e.cell) not in refs]
    said = {f"{b.evidence.cell}" for b in table.ambiguous.values()}     # a note starts `<cell>：` (one lookup, not a scan)
    notes = [n for n in register.notes if not (n.code == "status-read" and n.detail.endswith(f"→ {OVERDUE}")
                                                and n.detail.split("：", 1)[0] in said)]
    for position, bad in sorted(table.ambiguous.items()):
        if position in overdue:
            values[COLUMN][position] = OVERDUE
            cells.pop(position, None)
            notes.append(Note("status-read", bad.evidence.sheet, f"{bad.evidence.cell}：{bad.raw} → {OVERDUE}"))
        else:
            values[COLUMN][position] = None
            cells[position] = bad
            errors.append(RegisterError(bad.code, bad.evidence.sheet, bad.evidence.cell or "", bad.raw, bad.expected,
                                        bad.nearest))
    if not cells:
        del unparsed[COLUMN]
    judged: Table = replace(table, values=values, unparsed=unparsed)
    return replace(register, tables={**register.tables, SHEET: judged}, errors=errors, notes=notes)
