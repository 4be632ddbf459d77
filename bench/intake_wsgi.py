"""The project's WSGI application, plus the hello-world view once more at /bench/hello-lean/
behind the webhooks' lean middleware stack: the baseline for what the webhook does itself."""

from config.wsgi import application as project_application
from config.wsgi import webhook_application

LEAN_HELLO = "/bench/hello-lean/"


def application(environ, start_response):
    if environ.get("PATH_INFO") == LEAN_HELLO:
        environ["PATH_INFO"] = "/bench/hello/"
        return webhook_application(environ, start_response)
    return project_application(environ, start_response)
