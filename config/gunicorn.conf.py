"""gunicorn behind nginx (config/nginx/vigil.conf.template): `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Sync workers are enough because nginx hands each one a complete, buffered request and takes the whole response
at once; a slow client costs an nginx connection, never a worker. Command-line flags override these.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi"
# Private: only nginx talks to gunicorn. Clients use nginx on PORT (8000).
bind = f"127.0.0.1:{os.environ.get('VIGIL_APP_PORT', '8001')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
# nginx sets X-Forwarded-Proto; gunicorn believes it only from these addresses (FORWARDED_ALLOW_IPS in Docker).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = "-"
# One shared $HOME/.gunicorn/gunicorn.ctl would clash between instances on one machine (demo, tests, benches).
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """Import both URLconfs, and so every view, before the worker takes its first request: Django would otherwise
    do it inside that request, which then takes seconds on a loaded machine. Not in the master (preload_app):
    workers forked after numpy/scikit-learn started their thread pools hang on exit."""
    from django.conf import settings
    from django.urls import get_resolver

    for urlconf in (settings.ROOT_URLCONF, settings.PUBLIC_SCHEMA_URLCONF):
        get_resolver(urlconf).url_patterns  # noqa: B018
