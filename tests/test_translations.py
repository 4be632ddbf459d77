"""Every string of ours is translated into Kazakh and Russian, and the catalogs compile."""

import json
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"
ENTRY = re.compile(r'^(#, .*\n)?msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def entries(language: str):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for flags, msgid, msgstr in ENTRY.findall(text):
        join = lambda block: "".join(json.loads(line) for line in block.strip().splitlines())  # noqa: E731
        yield flags, join(msgid), join(msgstr)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_string_is_translated(language):
    untranslated = [mid for flags, mid, mstr in entries(language) if mid and not mstr]
    fuzzy = [mid for flags, mid, mstr in entries(language) if mid and "fuzzy" in flags]
    assert untranslated == [], f"{len(untranslated)} untranslated in {language}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {language}"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_placeholders_survive_translation(language):
    for _flags, mid, mstr in entries(language):
        if mid and mstr:
            assert sorted(re.findall(r"%\(\w+\)[sd]", mid)) == sorted(
                re.findall(r"%\(\w+\)[sd]", mstr)
            ), mid


def test_kazakh_catalog_is_written_in_kazakh():
    text = " ".join(mstr for _f, mid, mstr in entries("kk") if mid)
    assert set("әғқңөұүі") <= set(text)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_compiled_catalog_is_present(language):
    assert (LOCALE / language / "LC_MESSAGES" / "django.mo").exists()
