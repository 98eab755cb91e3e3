"""The application's metrics for Prometheus, declared once; the code that does the work
observes them (the web edge its requests, the search service its searches, the audit log its
appends, the account service its failed sign-ins).

`kb serve` runs every process in prometheus-client's multiprocess mode
(`PROMETHEUS_MULTIPROC_DIR`) and serves the sum over its workers on `KB_METRICS_PORT`, together
with what it reads from the database and the index at each scrape (`kb.operations.state`).
Labels never carry a path, a name or a query: routes are their templates.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = [
    "AUDIT_APPEND_SECONDS",
    "REQUESTS",
    "REQUEST_SECONDS",
    "SEARCH_SECONDS",
    "SIGN_IN_FAILURES",
]

# From a cached search (well under a millisecond) to a PDF report (a second or more).
_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "kb_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "kb_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by method and route template.",
    ["method", "route"],
    buckets=_BUCKETS,
)
SEARCH_SECONDS = Histogram(
    "kb_search_duration_seconds",
    "Time the search engine took for one search (with its facet counts), by engine.",
    ["engine"],
    buckets=_BUCKETS,
)
AUDIT_APPEND_SECONDS = Histogram(
    "kb_audit_append_duration_seconds",
    "Time to append events to the audit chain: waiting for its lock, chaining and inserting.",
    buckets=_BUCKETS,
)
SIGN_IN_FAILURES = Counter(
    "kb_sign_in_failures",
    "Failed sign-ins: `credentials` (unknown name, wrong password or inactive account alike) "
    "and `throttled` (refused with 429 before the password was checked).",
    ["reason"],
)
