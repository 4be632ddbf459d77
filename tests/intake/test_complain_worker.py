"""The web form's photo on the real stack: PostgreSQL, Redis and a Celery worker. The request
answers with only the header checked; the worker makes the photo public."""

import pytest

from casework.models import Case, OutboxJob
from tests.factories import image_upload
from tests.intake.test_complain import form
from tests.workflows.test_worker import celery_on, wait_for, worker

pytestmark = [pytest.mark.redis, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_publishes_the_photo_after_the_request(
    requires_postgres, redis_url, client, world
):
    with celery_on(redis_url), worker():
        response = client.post("/complain/", form(world, photos=[image_upload("a.jpg")]))
        assert response.status_code == 302
        case = Case.objects.get()
        wait_for(lambda: case.attachments.exists(), what="the photo's job in the worker")
        job = OutboxJob.objects.get(kind="attachment_process")
        wait_for(
            lambda: OutboxJob.objects.get(pk=job.pk).status == OutboxJob.Status.DONE,
            what="the job marked done",
        )
    attachment = case.attachments.get()
    assert attachment.kind == "complaint" and attachment.file.size > 0
    assert case.events.get(action="open").payload["photos_to_process"] == [attachment.sha256]
