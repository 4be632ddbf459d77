from celery import shared_task

from oversight.red_flags.run import red_flags_full_pass


@shared_task(name="oversight.tasks.red_flags_nightly", ignore_result=True)
def red_flags_nightly() -> dict[str, int]:
    """The nightly full pass over every red-flag indicator (config/celery.py schedules it)."""
    return red_flags_full_pass()
