"""What we can check of PDF/A-3u offline: the XMP claim, the output intent, embedded fonts with
Unicode maps, the attached CSV with its relationship, no encryption or scripts. (No veraPDF here:
this is a structural check, not a full conformance validation.)"""

import re
import shutil
import subprocess

import pytest

from reports.documents import monthly_build
from reports.dossier import dossier_build
from reports.periods import Scope, period_for
from tests.conftest import need
from tests.reports.month_data import MONTH, at, seed_month
from tests.reports.pdftools import pdf_text, reader, save_pngs

KAZAKH = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
RUSSIAN = "Съешь же ещё этих мягких французских булок, да выпей чаю"


@pytest.fixture
def monthly_pdf(world):
    seed_month(world)
    period = period_for(MONTH, now=at(5, 1))
    return monthly_build(Scope(world.region_a), period, language="ru", moment=at(4, 1, 6)).pdf


def _resolve(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj


@pytest.mark.django_db
def test_monthly_report_is_marked_and_built_as_pdf_a_3u(monthly_pdf):
    pdf = reader(monthly_pdf.content)
    assert monthly_pdf.content.startswith(b"%PDF-1.7")
    assert not pdf.is_encrypted
    catalog = pdf.trailer["/Root"]
    xmp = _resolve(catalog["/Metadata"]).get_data().decode()
    assert re.search(r"pdfaid:part(=\"|>)3", xmp)
    assert re.search(r"pdfaid:conformance(=\"|>)U", xmp)
    intents = [_resolve(i) for i in catalog["/OutputIntents"]]
    assert intents and intents[0]["/S"] == "/GTS_PDFA1"
    assert len(_resolve(intents[0]["/DestOutputProfile"]).get_data()) > 1000  # sRGB ICC profile
    assert "/JavaScript" not in str(catalog.get("/Names", {}))
    assert "/ID" in pdf.trailer
    # The CSV: an associated file with its relationship, MIME type and dates.
    files = [_resolve(f) for f in catalog["/AF"]]
    assert len(files) == 1
    spec = files[0]
    assert spec["/AFRelationship"] == "/Data"
    assert str(spec["/UF"]).endswith(".csv")
    stream = _resolve(spec["/EF"]["/F"])
    assert stream["/Subtype"] in ("/text/csv", "/text#2fcsv")
    assert "/ModDate" in stream["/Params"]


@pytest.mark.django_db
def test_every_font_is_embedded_with_a_unicode_map(monthly_pdf):
    pdf = reader(monthly_pdf.content)
    fonts = {}
    for page in pdf.pages:
        for name, ref in _resolve(page["/Resources"]).get("/Font", {}).items():
            fonts[name] = _resolve(ref)
    assert fonts
    for font in fonts.values():
        assert "/ToUnicode" in font
        descendant = _resolve(font["/DescendantFonts"][0])
        descriptor = _resolve(descendant["/FontDescriptor"])
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile"))
    if shutil.which("pdffonts"):
        path = save_pngs(monthly_pdf.content, "monthly-2025-03-ru")[0].with_name(
            "monthly-2025-03-ru.pdf"
        )
        listing = subprocess.run(
            ["pdffonts", str(path)], capture_output=True, text=True, check=True
        ).stdout
        rows = listing.splitlines()[2:]
        assert rows and all(re.search(r"\byes\s+yes\s+yes\b", row) for row in rows)


@pytest.mark.django_db
def test_kazakh_and_russian_text_come_back_intact(world):
    case = world.case(
        title=f"Жол жөндеу: {KAZAKH}",
        description=f"Қазақша: {KAZAKH.lower()} — {KAZAKH.upper()}. По-русски: {RUSSIAN}.",
    )
    built = dossier_build(case, language="kk", moment=at(4, 1, 6))
    text = pdf_text(built.pdf.content)
    flat = " ".join(text.split())
    assert KAZAKH in flat
    assert KAZAKH.upper() in flat
    assert RUSSIAN in flat
    assert case.tracking_code in flat
    save_pngs(built.pdf.content, "dossier-kk")


@pytest.mark.django_db
def test_user_text_is_escaped_not_interpreted(world):
    need(True, "")
    evil = '<img src="file:///etc/passwd"><b>bold</b><script>alert(1)</script>'
    case = world.case(title="Title </table><h1>x</h1>", description=evil)
    built = dossier_build(case, language="en", moment=at(4, 1, 6))
    assert built.pdf.refused == ()
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in built.html
    assert "<script>" not in built.html
    flat = " ".join(pdf_text(built.pdf.content).split())
    assert '<img src="file:///etc/passwd"><b>bold</b>' in flat


def test_rendering_reports_leaves_pillow_strict_about_truncated_images():
    from PIL import ImageFile

    import reports.fetcher
    import reports.render  # noqa: F401

    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
