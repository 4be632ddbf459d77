"""WeasyPrint, imported so that it leaves Pillow as strict as it found it.

Importing WeasyPrint sets Pillow's process-wide `ImageFile.LOAD_TRUNCATED_IMAGES = True`, which
would let truncated uploads pass the upload checks in every process that has rendered a report
(a worker, or the web process in the embedded mode). Reports only embed photos that passed those
checks whole, so the strict setting costs them nothing.
"""

from PIL import ImageFile

_strict = ImageFile.LOAD_TRUNCATED_IMAGES
from weasyprint import HTML, Attachment  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

ImageFile.LOAD_TRUNCATED_IMAGES = _strict

__all__ = ["HTML", "Attachment", "URLFetcher", "URLFetcherResponse"]
