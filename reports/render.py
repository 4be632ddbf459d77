"""HTML to PDF with WeasyPrint: PDF/A-3u, embedded fonts, attachments, a locked-down fetcher."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from reports.fetcher import ProjectFilesFetcher
from reports.weasy import HTML, Attachment

PDF_VARIANT = "pdf/a-3u"


@dataclass(frozen=True)
class FileToAttach:
    name: str
    content: bytes
    description: str
    # ISO 32000-2 7.11.3: "Data" is data the document's figures are derived from or that
    # belongs with them, as the case list does.
    relationship: str = "Data"


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    refused: tuple[str, ...]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def pdf_render(
    html: str,
    *,
    moment: dt.datetime,
    attachments: tuple[FileToAttach, ...] = (),
    identifier: str = "",
) -> RenderedPdf:
    """Render `html` (already escaped by the template engine) to a PDF/A-3u document."""
    fetcher = ProjectFilesFetcher()
    files = [
        Attachment(
            file_obj=_bytes_io(item.content),
            name=item.name,
            description=item.description,
            created=moment,
            modified=moment,
            relationship=item.relationship,
            url_fetcher=fetcher,
        )
        for item in attachments
    ]
    document = HTML(string=html, base_url=None, url_fetcher=fetcher)
    content = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=files,
        pdf_identifier=identifier.encode() if identifier else None,
        finisher=_associated_files_once,
    )
    return RenderedPdf(content, tuple(fetcher.refused))


def _associated_files_once(document, pdf) -> None:
    """WeasyPrint 70 lists each attachment twice in the catalog's /AF array (once from the
    EmbeddedFiles name tree, once per file specification): keep each reference once."""
    files = pdf.catalog.get("AF")
    if files:
        unique = list(dict.fromkeys(files))
        files.clear()
        files.extend(unique)


def _bytes_io(content: bytes) -> io.BytesIO:
    return io.BytesIO(content)


def page_counter_css(label: str) -> str:
    """CSS `content` for a translated "Page {page} of {pages}" label."""
    parts = []
    rest = label
    while rest:
        positions = [(rest.find(p), p) for p in ("{page}", "{pages}") if p in rest]
        if not positions:
            parts.append(css_string(rest))
            break
        index, placeholder = min(positions)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append("counter(page)" if placeholder == "{page}" else "counter(pages)")
        rest = rest[index + len(placeholder) :]
    return " ".join(parts) or '""'


def css_string(text: str) -> str:
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;-–—/()«»№" else f"\\{ord(ch):06x}" for ch in text
    )
    return f'"{escaped}"'
