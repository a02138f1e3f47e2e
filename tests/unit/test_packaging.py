"""What `pip install .` needs from pyproject.toml: every run-time dependency declared, every data file shipped.

`.ci/run` also installs the package that way into a fresh environment (no lock, not editable) and runs the sample
job; these tests catch the same mistakes in a second, without installing anything.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string ("lxml[html_clean]>=5" -> "lxml")."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def _declared(extra: str | None = None) -> set[str]:
    project = PYPROJECT["project"]
    requirements = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {_name(r) for r in requirements}


def _locked() -> set[str]:
    lines = (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
    return {_name(line) for line in lines if line and not line.startswith((" ", "#"))}


def test_lxml_html_clean_is_declared_directly() -> None:
    # trafilatura -> justext imports lxml.html.clean, which lxml 5.2+ no longer contains. justext asks for it
    # only through lxml's "html_clean" extra, which pip dropped ("lxml 6.2.0 does not provide the extra
    # 'html_clean'"), so `pip install .` gave a newswatch whose first page extraction crashed.
    assert "lxml-html-clean" in _declared()


def test_every_declared_dependency_is_pinned_in_the_lock() -> None:
    # scripts/bootstrap installs `-r requirements.lock -e .`: a dependency missing from the lock would be
    # resolved afresh there and the lock would no longer say what runs.
    missing = (_declared() | _declared("dev")) - _locked()
    assert not missing, f"requirements.lock has no pin for {sorted(missing)}: regenerate it (see its header)"


def test_every_data_file_in_the_packages_is_package_data() -> None:
    patterns: dict[str, list[str]] = PYPROJECT["tool"]["setuptools"]["package-data"]
    packages = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    roots = {p.rstrip("*") for p in packages}
    unshipped = []
    for root in sorted(roots):
        for path in sorted((REPO / root).rglob("*")):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(REPO / root).as_posix()
            if not any(fnmatch.fnmatch(relative, glob) for glob in patterns.get(root, [])):
                unshipped.append(f"{root}/{relative}")
    assert not unshipped, f"not in [tool.setuptools.package-data], so not installed by pip: {unshipped}"
    # And the two kinds the program reads at run time are there.
    assert "migrations/*.sql" in patterns["storage"]
    assert any(fnmatch.fnmatch("report/templates/digest.html.j2", g) for g in patterns["newswatch"])
