from celery import shared_task

from portal.open_data_dump import open_data_dump as dump_write


@shared_task(name="portal.tasks.open_data_dump", ignore_result=True)
def open_data_dump() -> int:
    """The nightly open data dump (config/celery.py schedules it); returns the rows written.
    Safe to run twice: each run writes its own folder and the readers take the newest whole one."""
    return dump_write().rows
