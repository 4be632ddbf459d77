"""WeasyPrint may read only the project's own static and media files."""

import http.server
import os
import threading
from pathlib import Path

import pytest
from django.conf import settings

from reports.fetcher import ProjectFilesFetcher, URLRefused, allowed_roots, static_url
from reports.render import pdf_render
from tests.reports.pdftools import pdf_text, reader


@pytest.fixture
def local_server():
    """A server on 127.0.0.1 that counts every request it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            body = b"SECRET-FROM-THE-NETWORK"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def refused(url: str) -> bool:
    fetcher = ProjectFilesFetcher()
    with pytest.raises(URLRefused):
        fetcher.fetch(url)
    return fetcher.refused == [url]


def test_etc_passwd_is_refused():
    assert refused("file:///etc/passwd")
    assert refused("file://localhost/etc/passwd")
    assert refused("file:///etc/../etc/passwd")


def test_other_local_paths_are_refused(settings, tmp_path):
    assert refused(Path(settings.BASE_DIR / "manage.py").as_uri())
    assert refused((Path(settings.BASE_DIR) / "config" / "settings.py").as_uri())
    # Climbing out of the static folder with dot-dot segments.
    css = static_url("reports/report.css")
    assert refused(css.replace("report.css", "../../../manage.py"))
    assert refused(css.replace("report.css", "%2e%2e/%2e%2e/%2e%2e/manage.py"))


def test_a_symlink_in_media_pointing_outside_is_refused(settings):
    link = Path(settings.MEDIA_ROOT) / "innocent.css"
    os.symlink("/etc/passwd", link)
    assert refused(link.as_uri())


def test_private_originals_are_refused(settings):
    private = Path(settings.PRIVATE_MEDIA_ROOT) / "original.jpg"
    private.write_bytes(b"\xff\xd8\xff")
    assert refused(private.as_uri())


def test_network_addresses_are_refused_without_a_connection(local_server):
    base, hits = local_server
    for url in (
        f"{base}/style.css",
        base.replace("127.0.0.1", "localhost") + "/x.png",
        "http://[::1]/x.png",
        "http://10.0.0.1/x.png",
        "https://example.org/x.png",
        "ftp://127.0.0.1/x",
        "file://127.0.0.1/etc/passwd",
        "file://otherhost/etc/passwd",
        "data:text/css,body{}",
        "javascript:alert(1)",
    ):
        assert refused(url), url
    assert hits == []


def test_own_static_and_media_files_are_served(settings):
    fetcher = ProjectFilesFetcher()
    response = fetcher.fetch(static_url("reports/report.css"))
    assert b"Baqylau Sans" in response.read()
    photo = Path(settings.MEDIA_ROOT) / "cases" / "p.png"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert fetcher.fetch(photo.as_uri()).read().startswith(b"\x89PNG")
    assert fetcher.refused == []


def test_a_document_that_asks_for_forbidden_urls_gets_none_of_them(local_server):
    import datetime as dt

    base, hits = local_server
    html = f"""<html><head>
      <link rel="stylesheet" href="{base}/evil.css">
      <link rel="stylesheet" href="file:///etc/passwd">
      <link rel="attachment" href="file:///etc/passwd">
    </head><body>
      <p>Visible text</p>
      <img src="{base}/pixel.png"><img src="file:///etc/hostname">
      <a rel="attachment" href="file:///etc/passwd">passwd</a>
      <a rel="attachment" href="{base}/leak.txt">leak</a>
    </body></html>"""
    pdf = pdf_render(html, moment=dt.datetime.now(dt.UTC))
    assert hits == []
    assert {"file:///etc/passwd", f"{base}/evil.css", f"{base}/pixel.png"} <= set(pdf.refused)
    text = pdf_text(pdf.content)
    assert "Visible text" in text
    assert "root:" not in text
    assert list(reader(pdf.content).attachments) == []
    assert b"SECRET-FROM-THE-NETWORK" not in pdf.content


def test_static_roots_never_include_private_media():
    from reports.fetcher import allowed_roots

    private = Path(os.path.realpath(settings.PRIVATE_MEDIA_ROOT))
    for root in allowed_roots():
        assert not private.is_relative_to(root)
        assert root != Path("/")


@pytest.mark.parametrize("host", ["otherhost", "127.0.0.1", "evil.example.org", "localhost:8000"])
def test_an_allowed_file_named_on_another_host_is_refused(host):
    """The path alone would be served; naming it on another machine is refused for the host."""
    css = static_url("reports/report.css")
    assert css.startswith("file:///")
    assert refused(css.replace("file:///", f"file://{host}/", 1))
    served = ProjectFilesFetcher().fetch(css.replace("file:///", "file://localhost/", 1))
    assert b"Baqylau Sans" in served.read()


@pytest.mark.parametrize("where", ["inside", "same"])
def test_private_media_kept_in_the_media_folder_is_refused(settings, tmp_path, where):
    """A configuration that puts the private originals in (or as) the public media folder
    loses that folder as a source rather than exposing the originals."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    private = tmp_path / "media" / "private" if where == "inside" else tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = str(private)
    private.mkdir(parents=True, exist_ok=True)
    original = private / "original.jpg"
    original.write_bytes(b"\xff\xd8\xff")
    assert refused(original.as_uri())
    assert all(not private.is_relative_to(root) for root in allowed_roots())
