"""Every label the code and templates use has a translation in each catalogue, and no catalogue
keeps labels nothing uses: an English word in a Chinese document is a defect, found here rather
than by the build of one fund that happens to reach the label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = {lang: ROOT / "factsheets" / "locale" / folder / "LC_MESSAGES" / "factsheets.po"
              for lang, folder in (("zh-CN", "zh_CN"), ("zh-HK", "zh_HK"))}
# Labels are chosen in code with N_("...") and used in templates as t("..."), row("..."), l._("...") or l.field("...", value).
PATTERNS = [re.compile(p.replace("Q", q)) for q in ('"', "'")
            for p in (r'\bN_\(Q((?:[^Q\\]|\\.)+)Q\)', r'\bt\(Q((?:[^Q\\]|\\.)+)Q', r'\brow\(Q((?:[^Q\\]|\\.)+)Q\)',
                      r'\._\(Q((?:[^Q\\]|\\.)+)Q', r'\.field\(Q((?:[^Q\\]|\\.)+)Q',
                      r'\._\(Q(?:[^Q\\]|\\.)+Q if [^()]+ else Q((?:[^Q\\]|\\.)+)Q\)')]  # l._("a" if x else "b")


def used_labels() -> set[str]:
    found: set[str] = set()
    sources = [*(ROOT / "factsheets").rglob("*.py"), *(ROOT / "templates").rglob("*.j2")]
    for path in sources:
        if "review" in path.relative_to(ROOT).parts:  # the review web page is English-only, for the compliance team
            continue
        text = path.read_text(encoding="utf-8")
        for pattern in PATTERNS:
            found |= {m.group(1).replace('\\"', '"') for m in pattern.finditer(text)}
    return found


def catalogue(lang: str) -> dict[str, str]:
    with CATALOGUES[lang].open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_every_label_used_is_translated(lang):
    translated = catalogue(lang)
    missing = sorted(label for label in used_labels() if not translated.get(label))
    assert missing == [], f"labels without a {lang} translation: {missing}"


@pytest.mark.parametrize("lang", sorted(CATALOGUES))
def test_no_label_is_kept_that_nothing_uses(lang):
    unused = sorted(set(catalogue(lang)) - used_labels())
    assert unused == [], f"{lang} catalogue labels that no code or template uses: {unused}"


# Values a label is given beyond those its English text shows (Chinese writes the percentile as a number).
EXTRA = {"{ordinal} percentile": {"{value}"}}


def test_placeholders_survive_translation():
    for lang in CATALOGUES:
        for msgid, msgstr in catalogue(lang).items():
            given = set(re.findall(r"\{\w+\}", msgid)) | EXTRA.get(msgid, set())
            assert set(re.findall(r"\{\w+\}", msgstr)) <= given, (lang, msgid, msgstr)
