"""Every table of the monthly report and the dossier, in Kazakh, Russian and English, stays inside
the page: WeasyPrint's layout boxes are walked and each table's and cell's right edge compared
with the page's content box."""

import pytest
from weasyprint.formatting_structure import boxes

from casework import clock
from reports.documents import monthly_document
from reports.dossier import dossier_context
from reports.fetcher import ProjectFilesFetcher
from reports.periods import Scope, period_for
from reports.weasy import HTML
from tests.reports.month_data import MONTH, at, seed_month

pytestmark = pytest.mark.django_db
LANGUAGES = ("kk", "ru", "en")
SLACK = 0.5  # CSS px: rounding of the layout


def overflowing(html: str) -> list[str]:
    """Each table or cell whose right edge passes its page's content box."""
    document = HTML(string=html, base_url=None, url_fetcher=ProjectFilesFetcher()).render()
    found = []
    tables = 0
    for number, page in enumerate(document.pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        for box in page_box.descendants():
            if not isinstance(box, boxes.TableBox | boxes.TableCellBox):
                continue
            tables += isinstance(box, boxes.TableBox)
            edge = box.border_box_x() + box.border_width()
            if edge > right + SLACK:
                text = " ".join(b.text for b in box.descendants() if isinstance(b, boxes.TextBox))[
                    :60
                ]
                kind = type(box).__name__
                found.append(f"page {number}: {kind} ends at {edge:.0f} > {right:.0f} ({text})")
    assert tables, "no tables laid out"
    return found


def test_monthly_report_tables_fit_the_page_in_every_language(world):
    seed_month(world)
    period = period_for(MONTH, now=at(5, 1))
    for language in LANGUAGES:
        document = monthly_document(Scope(), period, language=language, moment=at(4, 1, 6))
        assert overflowing(document.html) == [], language


def test_red_flag_and_sanction_tables_fit_the_page_in_every_language(world):
    from tests.reports.accountability_data import seed_accountability

    seed_month(world)
    seed_accountability(world)
    period = period_for(MONTH, now=at(5, 1))
    for language in LANGUAGES:
        document = monthly_document(
            Scope(world.region_a), period, language=language, moment=at(4, 1, 6)
        )
        for table_id in ("worst-red-flags", "red-flags-by-indicator", "red-flags-by-money"):
            assert '<table class="wide' in document.html and f'id="{table_id}"' in document.html
        assert 'id="sanctions-named"' in document.html
        assert overflowing(document.html) == [], language


def test_dossier_tables_fit_the_page_in_every_language(world):
    from django.template.loader import render_to_string
    from django.utils import translation

    case = world.advance(world.case(), "contractor_notified")
    for language in LANGUAGES:
        with translation.override(language):
            context = dossier_context(case, complainant={"name": "Айгүл Сейтқали"})
            context.update(
                chain_head="0" * 64,
                chain_count=1,
                data_sha256="f" * 64,
                generated_by="x",
                generated_at="",
                reason="Запрос",
                language=language,
            )
            html = render_to_string("reports/pdf/dossier.html", context)
        assert overflowing(html) == [], language
    assert clock.now()
