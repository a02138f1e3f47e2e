"""The docs speak to users: no path from one machine, no notes that only the developers have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
# Absolute paths of a developer's machine; system paths a deployment uses (/opt, /etc, /var) are fine.
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home|tmp)/")
NOTES = re.compile(r"FACTS\.md|\.\./shared|shared/corpus")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_name_no_machine_paths_or_private_notes(doc: Path) -> None:
    problems = [
        f"{doc.name}:{number}: {line.strip()[:100]}"
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1)
        if MACHINE_PATH.search(line) or NOTES.search(line)
    ]
    assert not problems, "\n".join(problems)
