"""docs/schema.md documents what SQL clients see: every table and view of a freshly migrated database, and, for each
view with a column table there, exactly the view's columns (none missing, none that no longer exist)."""

from __future__ import annotations

import re
from pathlib import Path

from storage.db import Database

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def _sections(text: str) -> dict[str, str]:
    """`### `name`` heading -> the text up to the next heading."""
    parts = re.split(r"^#{2,3} ", text, flags=re.M)
    out = {}
    for part in parts:
        heading, _, body = part.partition("\n")
        match = re.fullmatch(r"`(\w+)`", heading.strip())
        if match:
            out[match.group(1)] = body
    return out


def _first_cells(table_text: str, header: str) -> set[str]:
    """The names in the first cell of each row of the Markdown table whose header row starts with `header`
    (a cell may name several, comma-separated, in backticks or not)."""
    names: set[str] = set()
    inside = False
    for line in table_text.splitlines():
        if line.startswith(f"| {header} |"):
            inside = True
            continue
        if inside:
            if not line.startswith("|"):
                break
            cell = line.split("|")[1]
            if set(cell.strip()) <= {"-"}:
                continue
            names.update(n.strip().strip("`") for n in cell.split(","))
    return names


def _schema(tmp_path: Path) -> tuple[set[str], dict[str, list[str]]]:
    with Database(tmp_path / "n.duckdb") as db:
        tables = {r[0] for r in db.query("SELECT table_name FROM duckdb_tables() WHERE NOT internal")}
        views = [r[0] for r in db.query("SELECT view_name FROM duckdb_views() WHERE NOT internal")]
        columns = {
            v: [r[0] for r in db.query("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                       "ORDER BY ordinal_position", [v])]
            for v in views
        }
    return tables, columns


def test_every_table_is_in_the_tables_list(tmp_path: Path) -> None:
    tables, _views = _schema(tmp_path)
    documented = _first_cells(DOC.read_text(encoding="utf-8").split("\n## Tables\n", 1)[1], "table")
    assert tables, "no tables: the migrations did not run"
    assert sorted(tables - documented) == []
    assert sorted(documented - tables) == []  # a table the docs still list after it was dropped


def test_every_view_is_documented_with_its_columns(tmp_path: Path) -> None:
    _tables, views = _schema(tmp_path)
    text = DOC.read_text(encoding="utf-8")
    sections = _sections(text)
    assert len(views) >= 10
    for view, columns in views.items():
        assert view in sections or f"`{view}`" in text, f"view {view} is not in docs/schema.md"
        documented = _first_cells(sections.get(view, ""), "column")
        if not documented:  # described in running text (article_text, deliveries): each column named there
            body = sections.get(view) or text
            assert [c for c in columns if c not in body] == [], view
            continue
        assert [c for c in columns if c not in documented] == [], f"{view}: columns missing from docs/schema.md"
        assert sorted(documented - set(columns)) == [], f"{view}: documented columns it does not have"


def _sql_examples() -> list[tuple[str, str]]:
    """Every statement of the ```sql blocks in docs/schema.md and README.md: (file, statement)."""
    out = []
    for doc in (DOC, DOC.parents[1] / "README.md"):
        for block in re.findall(r"```sql\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S):
            code = "\n".join(line.split("--", 1)[0] for line in block.splitlines())
            out += [(doc.name, s.strip()) for s in code.split(";") if s.strip()]
    return out


def test_every_sql_example_in_the_docs_runs_on_the_schema(tmp_path: Path) -> None:
    """Each example query binds against a freshly migrated database (a renamed column or view fails here)."""
    examples = _sql_examples()
    assert len(examples) >= 10
    with Database(tmp_path / "n.duckdb") as db:
        failed = []
        for doc, statement in examples:
            try:
                db.query(statement)
            except Exception as exc:  # collected, so one run names every broken example
                failed.append(f"{doc}: {statement[:80]}...: {exc}")
    assert failed == []
