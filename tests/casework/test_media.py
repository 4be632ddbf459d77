"""Photos and reports are handed out only after a permission check: streamed in development,
X-Accel-Redirect behind nginx, a short-lived signed URL from an S3-compatible store."""

import importlib
import urllib.request

import pytest
from django.urls import Resolver404, resolve

from casework.models import Attachment
from casework.uploads import original_name_of
from tests.factories import image_upload

pytestmark = pytest.mark.django_db


def photo_url(attachment: Attachment) -> str:
    return f"/staff/cases/{attachment.case_id}/photos/{attachment.pk}/"


def test_media_paths_are_not_routed_even_in_debug(settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        with pytest.raises(Resolver404):
            resolve("/media/cases/2026/01/photo.jpg", urlconf="config.urls")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)


def test_behind_nginx_a_photo_is_an_accel_redirect_after_the_check(client, world, settings):
    settings.MEDIA_ACCEL_REDIRECT = True
    attachment = world.case(photos=[image_upload()]).attachments.get()
    client.force_login(world.clerk)
    response = client.get(photo_url(attachment))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/default/{attachment.file.name}"
    assert response["Content-Type"] == attachment.content_type
    assert response.content == b""


def test_someone_outside_the_scope_gets_no_accel_redirect(client, world, settings):
    settings.MEDIA_ACCEL_REDIRECT = True
    attachment = world.case(photos=[image_upload()]).attachments.get()
    client.force_login(world.clerk_a2)
    response = client.get(photo_url(attachment))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    client.logout()
    anonymous = client.get(photo_url(attachment))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert "X-Accel-Redirect" not in anonymous


def test_an_original_goes_to_the_private_location_for_an_investigator(client, world, settings):
    settings.MEDIA_ACCEL_REDIRECT = True
    attachment = world.case(photos=[image_upload()]).attachments.get()
    client.force_login(world.investigator)
    response = client.get(f"/contractor/photos/{attachment.pk}/original/")
    assert response.status_code == 200
    name = original_name_of(attachment)
    assert response["X-Accel-Redirect"] == f"/_protected/private/{name}"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"


def test_in_development_the_photo_is_streamed_by_django(client, world):
    attachment = world.case(photos=[image_upload()]).attachments.get()
    client.force_login(world.clerk)
    response = client.get(photo_url(attachment))
    assert response.status_code == 200
    assert "X-Accel-Redirect" not in response
    with attachment.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()


@pytest.fixture
def s3_media(settings):
    """A real S3-compatible server (moto's server mode) on a loopback port, and settings that
    put media in a private bucket there."""
    pytest.importorskip("moto")
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s",
        region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket="media-test")
    storages = {}
    for alias, prefix in (("default", "public"), ("private", "private"), ("reports", "reports")):
        storages[alias] = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "media-test", "endpoint_url": endpoint, "access_key": "k",
                "secret_key": "s", "region_name": "us-east-1", "location": prefix,
                "default_acl": "private", "querystring_auth": True, "querystring_expire": 60,
                "file_overwrite": False, "signature_version": "s3v4", "addressing_style": "path",
            },
        }  # fmt: skip
    storages["staticfiles"] = settings.STORAGES["staticfiles"]
    settings.STORAGES = storages
    settings.MEDIA_STORAGE = "s3"
    settings.MEDIA_URL_EXPIRE = 60
    yield client
    server.stop()


def test_on_s3_a_photo_is_a_short_lived_signed_url_after_the_check(client, world, s3_media):
    attachment = world.case(photos=[image_upload()]).attachments.get()
    keys = {o["Key"] for o in s3_media.list_objects_v2(Bucket="media-test")["Contents"]}
    assert f"public/{attachment.file.name}" in keys
    assert f"private/{original_name_of(attachment)}" in keys
    client.force_login(world.clerk)
    response = client.get(photo_url(attachment))
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Signature=" in signed and "X-Amz-Expires=60" in signed
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(signed, timeout=10) as fetched:
        body = fetched.read()
    stored = s3_media.get_object(Bucket="media-test", Key=f"public/{attachment.file.name}")
    assert body == stored["Body"].read()
    acl = s3_media.get_object_acl(Bucket="media-test", Key=f"public/{attachment.file.name}")
    assert [grant["Permission"] for grant in acl["Grants"]] == ["FULL_CONTROL"]
    assert "URI" not in acl["Grants"][0]["Grantee"]  # the owner alone: no AllUsers grant


def test_on_s3_nobody_outside_the_scope_gets_a_url(client, world, s3_media):
    attachment = world.case(photos=[image_upload()]).attachments.get()
    client.force_login(world.clerk_a2)
    response = client.get(photo_url(attachment))
    assert response.status_code == 404
    assert "amazonaws" not in response.content.decode() and "X-Amz" not in str(response.headers)
