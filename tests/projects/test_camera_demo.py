from types import SimpleNamespace

import pytest
from django.test import Client

from demo.project_cameras import CODE, project_cameras_seed
from projects import cameras
from projects.models import Camera, Comment, Project, Snapshot

pytestmark = pytest.mark.django_db


def test_the_demo_camera_project_has_a_time_lapse_and_two_comments_once(world):
    demo_world = SimpleNamespace(regions={"AQT": world.region_a}, districts={"AQT-A1": world.a1})
    assert project_cameras_seed(demo_world) == 12
    assert project_cameras_seed(demo_world) == 0
    project = Project.objects.get(code=CODE)
    assert Snapshot.objects.filter(camera__project=project).count() == 12
    assert Comment.objects.filter(project=project, status="published").count() == 2
    # Its camera has no real host: the beat task never fetches it.
    assert cameras.camera_snapshots_fetch_due().claimed == 0
    assert not Camera.objects.get(project=project).offline
    html = Client().get(f"/projects/{CODE}/visit/").content.decode()
    assert html.count("data-frame") == 12
    assert "Просим поставить освещение у скамеек." in html
