"""Intake's views: the citizen's web form, the tracking page, the clerk's pages and the chat
platforms' webhooks. Open311 has its own in intake/open311/views.py."""
