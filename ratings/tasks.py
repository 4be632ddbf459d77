from celery import shared_task

from ratings.figures import figures_refresh


@shared_task(name="ratings.tasks.ratings_refresh", ignore_result=True)
def ratings_refresh() -> int:
    """The nightly materialisation of the ratings' figures (config/celery.py schedules it)."""
    return figures_refresh()
