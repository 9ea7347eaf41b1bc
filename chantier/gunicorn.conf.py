"""gunicorn's settings for `make serve` (README, « Production »): `gunicorn -c chantier/gunicorn.conf.py`.

WEB_CONCURRENCY: worker processes (2 by default; about two per core). BIND: the address to listen on
(127.0.0.1:8000 by default: the TLS proxy in front reaches it there).
"""

import os

wsgi_app = "chantier.wsgi:application"
bind = os.getenv("BIND", "127.0.0.1:8000")
workers = int(os.getenv("WEB_CONCURRENCY", "2"))
# gunicorn's own messages on standard error, like the app's; each request is in the proxy's access log.
errorlog = "-"
# A spreadsheet import or a long page may take a while; a worker stuck longer than this is restarted.
timeout = 60
# gunicorn 25+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl): a second
# instance on the machine (another coalition, a benchmark) would take the first one's.
control_socket_disable = True


def post_worker_init(worker):
    """Django's modules, loaded by now, stay in memory for the worker's life: set them apart from the
    garbage collector's full passes (gc.freeze), which otherwise walk these ~180,000 objects each time, a
    pause of 50 to 100 ms on this kind of machine in the middle of some request."""
    import gc

    gc.freeze()
