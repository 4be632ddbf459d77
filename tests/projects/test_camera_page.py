import pytest
from django.test import Client
from django.urls import reverse

from tests.projects.visit_factories import camera_with_frames, frame_jpeg, visit_project

pytestmark = pytest.mark.django_db


def test_the_visit_page_shows_the_latest_snapshot_and_the_dated_frames(world):
    project = visit_project(world)
    camera = camera_with_frames(project, frames=4)
    latest = camera.snapshots.order_by("-taken_at").first()
    page = Client().get(reverse("projects:visit", args=[project.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("projects:snapshot", args=[project.code, latest.pk]) in html
    assert html.count("data-frame") == 4
    assert "static/js/project-camera.js" in html or "project-camera" in html


def test_a_snapshot_image_is_served_publicly(world):
    project = visit_project(world)
    camera = camera_with_frames(project, frames=1)
    snapshot = camera.snapshots.get()
    response = Client().get(reverse("projects:snapshot", args=[project.code, snapshot.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == frame_jpeg(0)


def test_a_snapshot_of_another_project_or_an_inactive_camera_is_404(world):
    project = visit_project(world)
    other = visit_project(world, code="other-yard")
    snapshot = camera_with_frames(project, frames=1).snapshots.get()
    client = Client()
    assert (
        client.get(reverse("projects:snapshot", args=[other.code, snapshot.pk])).status_code == 404
    )
    snapshot.camera.active = False
    snapshot.camera.save()
    url = reverse("projects:snapshot", args=[project.code, snapshot.pk])
    assert client.get(url).status_code == 404


def test_an_offline_camera_says_so_and_a_stream_gets_the_player(world):
    project = visit_project(world)
    camera_with_frames(project, frames=2, name="Live", stream_url="https://cam.example.kz/l.m3u8")
    camera_with_frames(project, frames=1, name="Down")
    from projects.models import Camera

    Camera.objects.filter(name="Down").update(offline=True)
    html = Client().get(reverse("projects:visit", args=[project.code])).content.decode()
    assert 'data-hls="https://cam.example.kz/l.m3u8"' in html
    assert "vendor/hls/hls.min.js" in html
    assert "badge offline" in html
