"""Where every report comes from: input hash, checklist, local config, tool version, run time.

The run time is SOURCE_DATE_EPOCH when that is set (reproducible builds'
convention), so two runs on the same inputs give byte-identical reports;
otherwise the current UTC time, to the second."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime, timezone
from typing import Any


def run_time() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_fields(run: Any) -> dict[str, Any]:
    """The run-level provenance every output carries."""
    return {
        "tool": "fireaudit",
        "tool_version": run.tool_version,
        "checklist_id": run.checklist_id,
        "checklist_version": run.checklist_version,
        "config_file": run.config_file,
        "generated_at": run.generated_at,
        # the county's [register] mapping (issue 15), only when there is one
        **({"mapping_file": run.mapping["file"], "mapping_sha256": run.mapping["sha256"]}
           if getattr(run, "mapping", None) else {}),
    }


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
_MODIFIED_TIME = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def reproducible_zip(data: bytes, generated_at: str, *, keep_created: bool = False) -> bytes:
    """An .xlsx with every zip timestamp and the document's created/modified set to the run time.

    keep_created leaves `created` alone (a township's workbook, copied and annotated)."""
    moment = datetime.strptime(generated_at, "%Y-%m-%dT%H:%M:%SZ")
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = (_MODIFIED_TIME if keep_created else _CORE_TIMES).sub(rb"\g<1>" + generated_at.encode() + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, content)
    return out.getvalue()
