"""Gunicorn for one FundPortal web node (docs/DEPLOYMENT.md). Every value can be set in the environment.

The node is stateless: sessions, throttles and the heartbeat are in Redis, files in shared storage,
so the load balancer may send any request to any node and a node may be restarted at any time.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: each serves one request at a time, and a request is mostly database time. The
# classic 2 × cores + 1 keeps the CPU busy while some workers wait on PostgreSQL or a government
# source (a decision waits up to DECISION_DEADLINE_S, 3 s).
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# Longer than the slowest legitimate request (a 20 MB deposit list checked inline is refused
# above DEPOSIT_LIST_INLINE_BYTES and checked by a worker instead), shorter than the load
# balancer's own timeout, so gunicorn, not the balancer, ends a stuck request and logs it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM / SIGHUP a worker finishes the request it is serving for up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Below the load balancer's idle timeout, so the balancer never reuses a connection we closed.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Recycle workers now and then (jittered, so they do not all restart together): bounds the harm
# of a slow memory leak in a library.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Not preloaded: each worker imports the app itself, so no database pool or Redis socket opened
# at import time is ever shared across a fork.
preload_app = False

# The application writes one JSON access line per request (method, path without query, status,
# duration, request id; core.request_context), so gunicorn's own access log stays off. Its error
# log (worker starts, timeouts) goes to stderr, which systemd's journal collects.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# The addresses of the load balancers allowed to set X-Forwarded-Proto (and X-Forwarded-For).
# Production settings trust X-Forwarded-Proto only for the HTTPS redirect and secure cookies, and
# never take the client address from a header (core.request_context.client_ip reads REMOTE_ADDR):
# list only the balancers' own addresses here, never "*", or any client could claim to be on HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Requests larger than this are refused by gunicorn before Django reads them.
limit_request_line = 4094
limit_request_fields = 100

proc_name = os.environ.get("GUNICORN_PROC_NAME", "fundportal-web")

# Nodes are driven by signals (systemd's reload is HUP); gunicorn's control socket would be one
# path in the user's home shared by every node on the host.
control_socket_disable = True
