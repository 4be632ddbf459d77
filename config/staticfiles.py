"""Static files with content hashes in their names, so nginx may tell browsers to keep them for a
year (deploy/nginx/locations.conf.in)."""

from __future__ import annotations

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """Like Django's, but a stylesheet of a third-party package that points at a file the package
    does not ship (viewflow's fonts) keeps that reference as it is instead of failing
    collectstatic: the browser gets a 404 for that one font, as it would without hashing."""

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError:
            if content is None and not self.exists(self.clean_name(name)):
                return name
            raise
