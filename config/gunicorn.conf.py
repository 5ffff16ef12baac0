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
