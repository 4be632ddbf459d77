"""One event vocabulary: every kind of case event is declared in casework.events with a label
in kk, ru and en, and the staff timeline, the tracking page and the dossier show that label,
never the raw code."""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from casework import services
from casework.events import KINDS, PUBLIC_KINDS
from casework.models import Case
from reports.dossier import dossier_context

ROOT = Path(__file__).resolve().parents[2]
APPS = ("casework", "contractors", "oversight", "workflows", "intake", "reports")
LANGUAGES = ("kk", "ru", "en")


class _Text(HTMLParser):
    """The text a reader sees: no tags, attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def raw_codes_in(text: str, codes) -> list[str]:
    return [code for code in codes if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]


def codes_to_check(language: str) -> list[str]:
    """Every code in kk and ru; in English a plain word like "open" may be part of the text."""
    return [code for code in KINDS if language != "en" or "_" in code]


def labels_in(language: str, codes) -> list[str]:
    with translation.override(language):
        return [str(KINDS[code].label) for code in codes]


# The functions that append an event (and take its kind as `action=`).
WRITERS = {"event_append", "case_note", "_record", "NewEvent"}


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@pytest.fixture
def every_kind(world):
    """A case with one event of every declared kind."""
    case = world.case()
    with transaction.atomic():
        locked = services.case_lock(case)
        for code in KINDS:
            services.case_note(locked, actor=None, role="system", action=code)
    return Case.objects.get(pk=case.pk)


def test_every_kind_a_service_writes_is_declared():
    written = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Call) and _called(node) in WRITERS:
                    for keyword in node.keywords:
                        value = keyword.value
                        if keyword.arg == "action" and isinstance(value, ast.Constant):
                            written.add(value.value)
    written.add(services.ESCALATE)
    assert written - set(KINDS) == set()
    assert {"open", "citizen_confirm", "work_order_acknowledged", "escalate"} <= written


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_kind_is_translated(language):
    english = labels_in("en", KINDS)
    assert [code for code, label in zip(KINDS, english, strict=True) if label == code] == []
    translated = labels_in(language, KINDS)
    assert [code for code, a, b in zip(KINDS, english, translated, strict=True) if a == b] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_timeline_shows_every_kind_by_its_label(client, world, every_kind, language):
    client.force_login(world.investigator)
    client.cookies["django_language"] = language
    response = client.get(reverse("workflows:case", args=[every_kind.pk]))
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert [label for label in labels_in(language, KINDS) if label not in text] == []
    assert raw_codes_in(text, codes_to_check(language)) == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tracking_page_shows_every_public_kind_by_its_label(client, every_kind, language):
    client.cookies["django_language"] = language
    # The citizen's own link (with its token) shows the timeline; the code alone only the status.
    url = reverse("track:case", args=[every_kind.tracking_code])
    response = client.get(f"{url}?t={every_kind.access_token}")
    assert response.status_code == 200
    text = visible_text(response.content.decode())
    assert [label for label in labels_in(language, PUBLIC_KINDS) if label not in text] == []
    assert raw_codes_in(text, codes_to_check(language)) == []
    private = labels_in(language, set(KINDS) - PUBLIC_KINDS)
    assert [label for label in private if label in text] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dossier_shows_every_kind_by_its_label(every_kind, language):
    with translation.override(language):
        html = render_to_string(
            "reports/pdf/dossier.html", dossier_context(every_kind, complainant=None)
        )
    text = visible_text(html)
    assert [label for label in labels_in(language, KINDS) if label not in text] == []
    assert raw_codes_in(text, codes_to_check(language)) == []
