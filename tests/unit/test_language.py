"""Offline language detection: samples written for these tests (no quoted text)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newswatch.text.language import detect_language, is_scored_language, normalize_language

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {
    "en": "The town council agreed on Tuesday to repair the old bridge before the winter rains begin.",
    "de": "Der Stadtrat hat am Dienstag beschlossen, die alte Brücke vor dem Winterregen zu reparieren.",
    "fr": "Le conseil municipal a décidé mardi de réparer le vieux pont avant les pluies de l'hiver.",
    "ur": "شہر کی کونسل نے منگل کو سردیوں کی بارشوں سے پہلے پرانے پل کی مرمت کا فیصلہ کیا۔",
    "hi": "नगर परिषद ने मंगलवार को सर्दियों की बारिश से पहले पुराने पुल की मरम्मत करने का फैसला किया।",
}


@pytest.mark.parametrize(("expected", "text"), SAMPLES.items())
def test_detects_language(expected: str, text: str) -> None:
    lang, confidence = detect_language(text)
    assert lang == expected
    assert 0.5 < confidence <= 1.0


def test_short_text_is_not_guessed() -> None:
    assert detect_language("Bridge fixed") == (None, 0.0)
    assert detect_language("") == (None, 0.0)
    assert detect_language("Bridge fixed", hint="en-US") == ("en", 0.0)


def test_text_outweighs_a_wrong_hint() -> None:
    lang, _ = detect_language(SAMPLES["de"], hint="en")
    assert lang == "de"


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("en-US", "en"),
        ("EN_gb", "en"),
        ("de", "de"),
        ("English", "en"),
        ("Urdu", "ur"),
        ("fra", "fr"),
        ("", None),
        (None, None),
        ("x-klingon!", None),
    ],
)
def test_normalise_language(tag: str | None, code: str | None) -> None:
    assert normalize_language(tag) == code


def test_scored_languages_are_english_or_unknown() -> None:
    assert is_scored_language("en") and is_scored_language("en-GB") and is_scored_language("EN_us")
    assert is_scored_language(None)  # neither declared nor detectable: scored rather than dropped
    assert not is_scored_language("de") and not is_scored_language("fr-CA")


def test_model_not_loaded_at_import() -> None:
    code = "import sys, newswatch.text.language; print('py3langid' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def test_a_full_temporary_folder_is_an_error_naming_it_not_a_traceback(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The language model (py3langid) is inflated into a 68 MB temporary file whenever a process loads it, so a
    temporary folder without that much room failed every ingest with a bare `OSError: [Errno 28] No space left on
    device` traceback from shutil (a review's TMPDIR on a 30 MB tmpfs). It is a StorageError naming the folder and
    what to do; the next call tries again. Here the folder is a file, which fails the same way for root."""
    import tempfile

    from newswatch.errors import StorageError
    from newswatch.text import language

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x", encoding="utf-8")
    language._identifier.cache_clear()
    text = "The ministers met in the capital on Monday and agreed to talk again next week about the border."
    try:
        with monkeypatch.context() as patched:
            patched.setattr(tempfile, "tempdir", str(blocked))
            with pytest.raises(StorageError, match=r"not-a-folder: cannot inflate the language model .*TMPDIR"):
                language.detect_language(text)
        assert language.detect_language(text)[0] == "en"
    finally:
        language._identifier.cache_clear()
