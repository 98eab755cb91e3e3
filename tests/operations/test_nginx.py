"""`kb serve` behind Debian's nginx, as docs/operations.md sets it up: the client's own address
reaches throttling, the audit log and the request log, a forged `X-Forwarded-For` changes
nothing, cookies stay `Secure` and `__Host-`, and both logs name a request by the same id."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import sqlite3
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.live import free_port, running_app
from tests.helpers import FIXTURE_CONTENT

pytestmark = pytest.mark.served

NGINX = Path("/usr/sbin/nginx")
CONFIG = """
{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {folder}/cert.pem;
        ssl_certificate_key {folder}/key.pem;
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-ID $request_id;
            add_header X-Proxy-Request-ID $request_id always;
        }}
    }}
}}
"""


@contextlib.contextmanager
def _nginx(folder: Path, upstream: str) -> Iterator[int]:
    """nginx with a self-signed certificate, in front of `upstream`; yields its HTTPS port."""
    folder.mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-keyout", str(folder / "key.pem"),
         "-out", str(folder / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    user = "user root;" if os.geteuid() == 0 else ""  # else workers run as nobody, locked out
    config = folder / "nginx.conf"
    config.write_text(CONFIG.format(user=user, folder=folder, port=port, upstream=upstream))
    server = subprocess.Popen(
        [str(NGINX), "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                _request(port, "GET", "/api/v1/health", "127.0.0.1")
                break
            assert server.poll() is None and time.monotonic() < deadline, (
                folder / "error.log"
            ).read_text()
            time.sleep(0.1)
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)


def _request(
    port: int, method: str, path: str, source: str, body: object = None,
    headers: dict[str, str] | None = None,
) -> http.client.HTTPResponse:  # fmt: skip
    """A request from `source` (any 127.x address is this host) to nginx over HTTPS."""
    context = ssl._create_unverified_context()  # the test's own self-signed certificate
    connection = http.client.HTTPSConnection(
        "127.0.0.1", port, context=context, source_address=(source, 0), timeout=30
    )
    data = json.dumps(body).encode() if body is not None else None
    connection.request(
        method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
    )
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.skipif(not NGINX.exists(), reason="Debian's nginx is not installed (.ci/run does)")
def test_behind_nginx(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    settings = {
        "KB_DEMO": "0",
        "KB_SECRET_KEY": "a-secret-key-for-the-nginx-test-only-0123456789",
        "KB_TRUSTED_PROXIES": "127.0.0.1",
        "KB_SIGN_IN_MAX_FAILURES": "3",
    }
    with (
        running_app(data, workers=1, content_dir=FIXTURE_CONTENT, env=settings) as url,
        _nginx(tmp_path / "nginx", urlsplit(url).netloc) as port,
    ):
        wrong = {"username": "niemand", "password": "fout-wachtwoord"}
        forged = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(1, 6)]
        statuses = [
            _request(port, "POST", "/api/v1/auth/token", "127.0.0.2", wrong, headers).status
            for headers in forged
        ]
        # Throttled by the real address: a new forged address per attempt does not help.
        assert statuses == [401, 401, 401, 429, 429]
        other = _request(port, "POST", "/api/v1/auth/token", "127.0.0.3", dict(wrong, username="x"))
        assert other.status == 401  # another client is not throttled with the first

        page = _request(port, "GET", "/aanmelden", "127.0.0.2")
        cookies = page.headers.get_all("Set-Cookie") or []
        assert cookies and all(c.startswith("__Host-") and "Secure" in c for c in cookies)
        assert all("HttpOnly" in c for c in cookies)
        assert "max-age" in (page.headers["Strict-Transport-Security"] or "")
        assert page.headers["X-Request-ID"] == page.headers["X-Proxy-Request-ID"]
        request_id = page.headers["X-Request-ID"]

    with sqlite3.connect(data / "kb.sqlite3") as database:
        audited = database.execute(
            "SELECT address FROM audit_log WHERE action = 'auth.sign_in_failed' ORDER BY id"
        ).fetchall()
    assert [a for (a,) in audited] == ["127.0.0.2"] * 3 + ["127.0.0.3"]
    logged = [
        json.loads(line)
        for line in (data / "server.log").read_text().splitlines()
        if line.startswith("{") and '"kb.request"' in line
    ]
    sign_ins = [line["client"] for line in logged if line["route"] == "/api/v1/auth/token"]
    assert sign_ins == ["127.0.0.2"] * 5 + ["127.0.0.3"]
    assert any(line["request_id"] == request_id for line in logged)
