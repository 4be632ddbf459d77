import datetime as dt

import pytest
from django.utils import timezone

from config.celery import app
from projects import cameras
from projects.camera_fetch import Fetched, FetchFailed, FetchRefused, fetch
from projects.models import Camera, Snapshot
from tests.projects.camera_servers import camera_server
from tests.projects.visit_factories import frame_jpeg, visit_project

pytestmark = pytest.mark.django_db


def _camera(world, **fields):
    return Camera.objects.create(
        project=visit_project(world),
        name="Gate",
        snapshot_url=fields.pop("snapshot_url", "https://cam.example.kz/gate.jpg"),
        **fields,
    )


def _serving(body: bytes, content_type="image/jpeg"):
    def fetcher(url):
        return Fetched(url=url, status=200, content_type=content_type, body=body)

    return fetcher


def _failing(url):
    raise FetchFailed("timed out")


def test_a_due_camera_gets_a_dated_snapshot(world):
    camera = _camera(world)
    now = timezone.now()
    result = cameras.camera_snapshots_fetch_due(now=now, fetcher=_serving(frame_jpeg(1)))
    assert (result.claimed, result.stored) == (1, 1)
    snapshot = Snapshot.objects.get(camera=camera)
    assert snapshot.taken_at == now.replace(microsecond=0)
    assert len(snapshot.sha256) == 64
    assert snapshot.image.read() == frame_jpeg(1)
    camera.refresh_from_db()
    assert camera.last_ok_at == now.replace(microsecond=0)
    assert camera.next_due_at == now + dt.timedelta(minutes=15)


def test_running_twice_takes_one_snapshot(world):
    camera = _camera(world)
    now = timezone.now()
    cameras.camera_snapshots_fetch_due(now=now, fetcher=_serving(frame_jpeg(1)))
    again = cameras.camera_snapshots_fetch_due(now=now, fetcher=_serving(frame_jpeg(2)))
    assert again.claimed == 0
    assert Snapshot.objects.filter(camera=camera).count() == 1


def test_a_camera_is_fetched_again_after_its_interval(world):
    camera = _camera(world, interval_minutes=10)
    now = timezone.now()
    cameras.camera_snapshots_fetch_due(now=now, fetcher=_serving(frame_jpeg(1)))
    early = cameras.camera_snapshots_fetch_due(
        now=now + dt.timedelta(minutes=9), fetcher=_serving(frame_jpeg(2))
    )
    later = cameras.camera_snapshots_fetch_due(
        now=now + dt.timedelta(minutes=10), fetcher=_serving(frame_jpeg(2))
    )
    assert (early.claimed, later.stored) == (0, 1)
    assert Snapshot.objects.filter(camera=camera).count() == 2


def test_the_same_picture_is_not_kept_twice(world):
    camera = _camera(world, interval_minutes=1)
    now = timezone.now()
    cameras.camera_snapshots_fetch_due(now=now, fetcher=_serving(frame_jpeg(1)))
    result = cameras.camera_snapshots_fetch_due(
        now=now + dt.timedelta(minutes=1), fetcher=_serving(frame_jpeg(1))
    )
    assert result.unchanged == 1
    assert Snapshot.objects.filter(camera=camera).count() == 1


def test_offline_after_three_failures_in_a_row_and_back_online_on_success(world, settings):
    settings.PROJECT_CAMERA_OFFLINE_AFTER = 3
    camera = _camera(world, interval_minutes=1)
    now = timezone.now()
    for minute in range(2):
        cameras.camera_snapshots_fetch_due(now=now + dt.timedelta(minutes=minute), fetcher=_failing)
    camera.refresh_from_db()
    assert (camera.failures_in_row, camera.offline) == (2, False)
    cameras.camera_snapshots_fetch_due(now=now + dt.timedelta(minutes=2), fetcher=_failing)
    camera.refresh_from_db()
    assert (camera.failures_in_row, camera.offline) == (3, True)
    assert camera.last_error == "timed out"
    cameras.camera_snapshots_fetch_due(
        now=now + dt.timedelta(minutes=3), fetcher=_serving(frame_jpeg(3))
    )
    camera.refresh_from_db()
    assert (camera.failures_in_row, camera.offline) == (0, False)
    assert list(camera.history.values_list("offline", flat=True)) == [False, True, False]


def test_a_body_that_is_not_an_image_counts_as_a_failure(world):
    camera = _camera(world)
    result = cameras.camera_snapshots_fetch_due(
        fetcher=_serving(b"<html>login</html>", "text/html")
    )
    assert result.failed == 1
    assert "not an image" in result.errors[camera.pk]
    assert not Snapshot.objects.exists()


def test_a_refused_url_counts_as_a_failure(world, settings):
    settings.PROJECT_CAMERA_HOSTS = ["cam.example.kz"]
    camera = _camera(world, snapshot_url="http://169.254.169.254/latest/meta-data/")
    result = cameras.camera_snapshots_fetch_due(fetcher=fetch)
    assert "allow-list" in result.errors[camera.pk]
    camera.refresh_from_db()
    assert camera.failures_in_row == 1


def test_an_inactive_camera_is_not_fetched(world):
    _camera(world, active=False)
    assert cameras.camera_snapshots_fetch_due(fetcher=_serving(frame_jpeg(1))).claimed == 0


def test_the_task_fetches_through_the_restricted_fetcher(world, settings, monkeypatch):
    settings.PROJECT_CAMERA_HOSTS = ["127.0.0.1"]

    def local_fetch(url):
        return fetch(url, allow_loopback_for_tests=True)

    monkeypatch.setattr(cameras, "fetch", local_fetch)
    with camera_server() as server:
        camera = _camera(world, snapshot_url=server.image("/gate.jpg", frame_jpeg(4)))
        from projects.tasks import camera_snapshots_fetch

        stored = camera_snapshots_fetch.apply().get(disable_sync_subtasks=False)
    assert stored == 1
    assert Snapshot.objects.get(camera=camera).image.read() == frame_jpeg(4)


def test_the_loopback_switch_is_off_outside_tests(world, settings):
    settings.PROJECT_CAMERA_HOSTS = ["127.0.0.1"]
    with camera_server() as server:
        url = server.image("/gate.jpg", frame_jpeg(4))
        with pytest.raises(FetchRefused):
            fetch(url)


def test_beat_fetches_camera_snapshots_every_two_minutes():
    entry = app.conf.beat_schedule["projects-camera-snapshots"]
    assert entry == {"task": "projects.tasks.camera_snapshots_fetch", "schedule": 120.0}
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks


def test_a_camera_with_a_url_off_the_allow_list_does_not_validate(world, settings):
    from django.core.exceptions import ValidationError

    settings.PROJECT_CAMERA_HOSTS = ["cam.example.kz"]
    camera = Camera(project=visit_project(world), name="x", snapshot_url="http://10.0.0.1/a.jpg")
    with pytest.raises(ValidationError) as refused:
        camera.full_clean()
    assert "snapshot_url" in refused.value.message_dict
    assert not Camera.objects.exists()
