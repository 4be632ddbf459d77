import ipaddress
import time

import pytest

from projects import camera_fetch
from projects.camera_fetch import FetchFailed, FetchRefused, address_refusal, fetch
from tests.projects.camera_servers import camera_server, silent_server

LOCAL = ["127.0.0.1"]


def test_fetches_an_allowed_host():
    with camera_server() as server:
        url = server.image("/snap.jpg", b"\xff\xd8jpeg")
        got = fetch(url, allowed_hosts=LOCAL, allow_loopback_for_tests=True)
    assert got.body == b"\xff\xd8jpeg"
    assert got.content_type == "image/jpeg"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://cam.example.kz/snap.jpg",
        "gopher://cam.example.kz/",
        "data:image/png;base64,AAAA",
        "//cam.example.kz/snap.jpg",
    ],
)
def test_refuses_schemes_other_than_http_and_https(url):
    with pytest.raises(FetchRefused, match="scheme"):
        fetch(url, allowed_hosts=["cam.example.kz"])


def test_refuses_a_host_not_on_the_allow_list():
    with pytest.raises(FetchRefused, match="allow-list"):
        fetch("http://evil.example.com/snap.jpg", allowed_hosts=["cam.example.kz"])


def test_the_allow_list_comes_from_the_setting(settings):
    settings.PROJECT_CAMERA_HOSTS = []
    with pytest.raises(FetchRefused, match="allow-list"):
        fetch("http://cam.example.kz/snap.jpg")


def test_refuses_credentials_in_the_url():
    with pytest.raises(FetchRefused, match="credentials"):
        fetch("http://user:pw@cam.example.kz/", allowed_hosts=["cam.example.kz"])


def test_refuses_loopback_even_when_allow_listed():
    with camera_server() as server:
        url = server.image("/snap.jpg", b"x")
        with pytest.raises(FetchRefused, match="loopback"):
            fetch(url, allowed_hosts=LOCAL)
        assert server.hits == []


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.5", "private"),
        ("169.254.169.254", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private|reserved"),
        ("100.64.0.1", "not a public"),
        ("[::1]", "loopback"),
        ("[fe80::1]", "link-local"),
        ("[fc00::1]", "private"),
        ("[::ffff:127.0.0.1]", "loopback"),
        ("[::ffff:10.0.0.1]", "private"),
    ],
)
def test_refuses_non_public_addresses(host, reason):
    bare = host.strip("[]")
    with pytest.raises(FetchRefused, match=reason):
        fetch(f"http://{host}/snap.jpg", allowed_hosts=[bare])


def test_refuses_a_name_that_resolves_to_loopback():
    with pytest.raises(FetchRefused, match="loopback"):
        fetch("http://localhost/snap.jpg", allowed_hosts=["localhost"])


def test_allow_loopback_for_tests_lets_no_private_address_through():
    assert address_refusal(ipaddress.ip_address("127.0.0.1"), allow_loopback=True) is None
    assert address_refusal(ipaddress.ip_address("10.0.0.1"), allow_loopback=True)
    assert address_refusal(ipaddress.ip_address("169.254.1.1"), allow_loopback=True)


def test_public_addresses_pass():
    assert address_refusal(ipaddress.ip_address("93.184.216.34")) is None
    assert address_refusal(ipaddress.ip_address("2a00:1450:4001:82a::200e")) is None


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.5/snap.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::5]/snap.jpg",
        "file:///etc/passwd",
        "http://not-allowed.example.com/snap.jpg",
    ],
)
def test_refuses_a_redirect_to_a_forbidden_target(target):
    hosts = [*LOCAL, "10.0.0.5", "169.254.169.254", "fd00::5"]
    with camera_server() as server:
        url = server.redirect("/snap.jpg", target)
        with pytest.raises(FetchRefused):
            fetch(url, allowed_hosts=hosts, allow_loopback_for_tests=True)
        assert server.hits == ["/snap.jpg"]


def test_follows_at_most_three_redirects():
    with camera_server() as server:
        server.image("/final.jpg", b"img")
        server.redirect("/r3", "/final.jpg")
        server.redirect("/r2", "/r3")
        server.redirect("/r1", server.base + "/r2")
        got = fetch(server.base + "/r1", allowed_hosts=LOCAL, allow_loopback_for_tests=True)
        assert got.body == b"img"
        server.redirect("/r0", "/r1")
        with pytest.raises(FetchFailed, match="redirects"):
            fetch(server.base + "/r0", allowed_hosts=LOCAL, allow_loopback_for_tests=True)


def test_an_error_status_fails():
    with camera_server() as server:
        with pytest.raises(FetchFailed, match="404"):
            fetch(server.base + "/nothing", allowed_hosts=LOCAL, allow_loopback_for_tests=True)


def test_a_body_over_the_limit_fails():
    with camera_server() as server:
        url = server.image("/big.jpg", b"x" * 5000)
        with pytest.raises(FetchFailed, match="limit"):
            fetch(url, allowed_hosts=LOCAL, allow_loopback_for_tests=True, max_bytes=1000)


def test_survives_a_camera_that_never_answers():
    with silent_server() as base:
        started = time.monotonic()
        with pytest.raises(FetchFailed, match="timed out"):
            fetch(
                base + "/snap.jpg",
                allowed_hosts=LOCAL,
                allow_loopback_for_tests=True,
                timeout=0.5,
            )
        assert time.monotonic() - started < 5


def test_connects_to_the_address_it_checked(monkeypatch):
    """A second DNS answer (rebinding) is never asked for: the connection goes to the checked
    address."""
    answers = iter(["127.0.0.1", "10.0.0.1"])
    asked = []
    real = camera_fetch.socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host == "cam.test":
            asked.append(host)
            host = next(answers)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(camera_fetch.socket, "getaddrinfo", rebinding)
    with camera_server() as server:
        port = server.server_address[1]
        server.image("/snap.jpg", b"ok")
        got = fetch(
            f"http://cam.test:{port}/snap.jpg",
            allowed_hosts=["cam.test"],
            allow_loopback_for_tests=True,
        )
    assert got.body == b"ok"
    assert asked == ["cam.test"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only http and https"),
        ("http://u:p@cam.example.kz/x.jpg", "Credentials"),
        ("https://evil.example.com/x.jpg", "allow-list"),
        ("http://cam.example.kz:99999/x.jpg", "Malformed"),
    ],
)
def test_a_camera_url_is_checked_when_the_camera_is_saved(url, reason, settings):
    from django.utils import translation

    from projects.camera_fetch import url_refusal

    settings.PROJECT_CAMERA_HOSTS = [".example.kz"]
    with translation.override("en"):
        assert reason in url_refusal(url)
    assert url_refusal("https://cam.example.kz/snap.jpg") is None
