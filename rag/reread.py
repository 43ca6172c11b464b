"""An index written by an earlier version, read again from the files it holds.

A new format (FORMAT_VERSION) means every paper is read and embedded again. `rag ingest
--rebuild` does it for the folders it is given; the app does it for the files the index
already holds, each at the access level it was ingested with, so nothing is dropped and
no restricted paper is published as public on the way.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import config, layout
from .ingest import IngestReport, Progress, ingest


def outdated(build: Path) -> bool:
    """Whether the build was written in an earlier format than this version reads."""
    return layout.read_manifest(build).get("format_version") != config.FORMAT_VERSION


def held_files(build: Path) -> dict[str, list[Path]]:
    """The source files the build holds that still exist, by their access level."""
    db = layout.connect(build)
    try:
        rows = db.execute("SELECT key, info FROM sources").fetchall()
    finally:
        db.close()
    levels: dict[str, list[Path]] = {}
    for row in rows:
        if Path(row["key"]).is_file():
            level = json.loads(row["info"]).get("access", "public")
            levels.setdefault(level, []).append(Path(row["key"]))
    return levels


def reread(index_dir: Path, encoder=None, progress: Progress | None = None) -> IngestReport | None:
    """Build the index again from the files its live build holds: the public ones first
    (a fresh build), then each other level's; None when none of its files is left."""
    levels = held_files(layout.current_build(index_dir))
    report = None
    for n, level in enumerate(sorted(levels, key=lambda name: name != "public")):
        report = ingest(levels[level], index_dir, access=level, rebuild=n == 0,
                        encoder=encoder, progress=progress)
    return report
