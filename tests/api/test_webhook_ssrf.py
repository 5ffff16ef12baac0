"""Webhooks cannot be pointed at our own network: every address form, DNS rebinding, the exact allow-list, and how
much of a receiver's answer the delivery log keeps."""

import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django_tenants.utils import tenant_context

from tenants.identity.principals import SYSTEM
from tenants.models import Tenant
from tenants.notifications.models import NotificationChannel
from tenants.notifications.services import channel_test
from tests.conftest import Api, key_auth
from tests.webhook_receiver import Receiver, allow_target, running_receiver

CHANNELS = "/api/v1/notification-channels"
ES_PORT = urlsplit(django_settings.ELASTICSEARCH_URL).port or 9200
REFUSED = "URL points to a private, loopback or reserved address."

# Elasticsearch on loopback, and the cloud metadata service, written every way an HTTP client reads an address.
PRIVATE_HOSTS = [
    "127.0.0.1",
    "2130706433",
    "0x7f000001",
    "127.1",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",
    "[64:ff9b::7f00:1]",
    "[64:ff9b:1::a00:1]",
    "[2002:7f00:1::]",
    "[2002:a9fe:a9fe::]",
    "localhost",
    "LocalHost.",
    "es.localhost",
    "0.0.0.0",
    "[::]",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "[::ffff:a9fe:a9fe]",
    "[fe80::1]",
    "[fc00::1]",
    "224.0.0.1",
    "[ff02::1]",
    "192.0.0.8",
    "240.0.0.1",
]


def admin(tenant: Any) -> Api:
    return Api(tenant.slug, auth=key_auth(tenant.api_key))


def in_tenant(slug: str) -> Any:
    return tenant_context(Tenant.objects.get(slug=slug))


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    with running_receiver() as running:
        allow_target(settings, running.url)
        yield running


class Dns:
    """A resolver the test scripts per name: each lookup takes the next answer, the last one repeats.

    It replaces socket.getaddrinfo itself, so a second lookup by anything (the HTTP client included) is seen.
    """

    def __init__(self) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: dict[str, int] = {}
        self.real = socket.getaddrinfo

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups[name] = self.lookups.get(name, 0) + 1
        script = self.answers[name]
        addresses = script.pop(0) if len(script) > 1 else script[0]
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, int(port or 0)))
            for a in addresses
        ]


@pytest.fixture
def dns(monkeypatch: Any) -> Dns:
    fake = Dns()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


def stored_channel(url: str) -> int:
    """A channel row with this URL, as one saved before the URL checks existed would be."""
    with in_tenant("alpha"):
        return NotificationChannel.objects.create(
            name=f"legacy {url}"[:200], kind="webhook", url=url, format="generic", secret="whsec_dGVzdA=="
        ).pk


def ping(channel_id: int) -> Any:
    with in_tenant("alpha"):
        delivery = channel_test(actor=SYSTEM, channel_id=channel_id)
        return delivery.attempts.get()


@pytest.mark.parametrize("host", PRIVATE_HOSTS)
def test_channel_url_to_a_private_address_in_any_form_is_refused(alpha, host):
    response = admin(alpha).post(
        CHANNELS, {"name": "es", "kind": "webhook", "url": f"http://{host}:{ES_PORT}/_cat/indices"}
    )

    assert response.status_code == 400, response.content
    assert (response.json()["error"]["field"], response.json()["error"]["message"]) == ("url", REFUSED)
    with in_tenant("alpha"):
        assert not NotificationChannel.objects.exists()


def test_octal_ipv4_is_not_a_valid_url_host(alpha):
    response = admin(alpha).post(CHANNELS, {"name": "es", "kind": "webhook", "url": f"http://0177.0.0.1:{ES_PORT}/"})

    assert response.status_code == 400
    assert (response.json()["error"]["field"], response.json()["error"]["message"]) == ("url", "URL is not valid.")
    assert ping(stored_channel(f"http://0177.0.0.1:{ES_PORT}/")).error.startswith("URL is not valid")


def test_graphql_refuses_the_same_urls_and_updates_are_checked_too(alpha):
    api = admin(alpha)
    created = api.graphql(
        'mutation($url: String!) { createNotificationChannel(input: {name: "es", kind: WEBHOOK, url: $url}) '
        "{ secret } }",
        {"url": f"http://0x7f000001:{ES_PORT}/"},
    ).json()
    channel = api.post(CHANNELS, {"name": "ok", "kind": "webhook", "url": "https://hooks.example.com/x"}).json()
    patched = api.patch(f"{CHANNELS}/{channel['id']}", {"url": f"http://[::ffff:127.0.0.1]:{ES_PORT}/"})

    assert created["errors"][0]["extensions"]["field"] == "url"
    assert created["errors"][0]["extensions"]["message"] == REFUSED
    assert patched.status_code == 400 and patched.json()["error"]["field"] == "url"
    with in_tenant("alpha"):
        assert NotificationChannel.objects.get().url == "https://hooks.example.com/x"


@pytest.mark.parametrize(
    "host",
    [
        "2130706433",
        "0x7f000001",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[::127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "localhost",
    ],
)
def test_a_stored_url_to_elasticsearch_is_not_sent_to(alpha, host, settings):
    # The demo used to allow every private address; now only its receiver's exact host:port.
    settings.WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1:8765"]
    channel_id = stored_channel(f"http://{host}:{ES_PORT}/_search")

    attempt = ping(channel_id)

    assert attempt.status_code is None
    assert "private, loopback or reserved address; sending there is not allowed" in attempt.error
    assert attempt.response_excerpt == ""


def test_a_name_that_resolves_to_a_private_address_is_not_sent_to(alpha, dns, receiver):
    # The receiver's own 127.0.0.1:P is allowed; Elasticsearch's port is not, by whatever name.
    port = ES_PORT
    dns.answers["internal.example.com"] = [["10.0.0.7"]]
    dns.answers["mixed.example.com"] = [["93.184.215.14", "127.0.0.1"]]
    dns.answers["mapped.example.com"] = [["::ffff:127.0.0.1"]]
    created = [
        admin(alpha).post(CHANNELS, {"name": name, "kind": "webhook", "url": f"http://{name}:{port}/h"})
        for name in ("internal.example.com", "mixed.example.com", "mapped.example.com")
    ]

    attempts = [ping(c.json()["id"]) for c in created]

    assert [c.status_code for c in created] == [201, 201, 201]
    assert [a.error for a in attempts] == [
        f"'{name}' resolves to a private, loopback or reserved address; sending there is not allowed."
        for name in ("internal.example.com", "mixed.example.com", "mapped.example.com")
    ]
    assert receiver.requests == []


def test_dns_rebinding_cannot_move_the_connection(alpha, dns, receiver):
    # The allowed receiver is on 127.0.0.1:P; something internal listens on 127.0.0.2:P, which is not allowed.
    port = int(urlsplit(receiver.url).port or 0)
    with running_receiver(host="127.0.0.2", port=port) as internal:
        dns.answers["hooks.rebind.example"] = [["127.0.0.1"], ["127.0.0.2"]]
        channel = admin(alpha).post(
            CHANNELS, {"name": "rebind", "kind": "webhook", "url": f"http://hooks.rebind.example:{port}/hooks/vigil"}
        )

        attempt = ping(channel.json()["id"])

    assert (attempt.status_code, attempt.error) == (200, "")
    assert internal.requests == []
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.rebind.example:{port}"
    assert dns.lookups["hooks.rebind.example"] == 1


def test_the_next_checked_address_is_tried_when_one_does_not_answer(alpha, dns, receiver, settings):
    port = int(urlsplit(receiver.url).port or 0)
    allow_target(settings, f"http://127.0.0.3:{port}/")
    dns.answers["hooks.two.example"] = [["127.0.0.3", "127.0.0.1"]]
    channel = admin(alpha).post(
        CHANNELS, {"name": "two", "kind": "webhook", "url": f"http://hooks.two.example:{port}/hooks/vigil"}
    )

    attempt = ping(channel.json()["id"])

    assert (attempt.status_code, attempt.error) == (200, "")
    assert len(receiver.requests) == 1
    assert dns.lookups["hooks.two.example"] == 1


def test_allowed_targets_match_host_and_port_exactly(alpha, receiver, settings):
    port = int(urlsplit(receiver.url).port or 0)
    api = admin(alpha)

    def create(url: str) -> int:
        return int(api.post(CHANNELS, {"name": url, "kind": "webhook", "url": url}).status_code)

    assert create(receiver.url) == 201
    assert create(f"http://127.0.0.1:{port + 1}/hooks/vigil") == 400
    assert create(f"http://127.0.0.1:{ES_PORT}/") == 400
    assert create(f"http://127.0.0.2:{port}/hooks/vigil") == 400
    assert create(f"http://[::1]:{port}/hooks/vigil") == 400
    assert create(f"http://localhost:{port}/hooks/vigil") == 400
    # Another way of writing the allowed address is the same address.
    assert create(f"http://2130706433:{port}/hooks/vigil") == 201
    settings.WEBHOOK_ALLOWED_TARGETS = []
    assert create(receiver.url.replace("/hooks/vigil", "/other")) == 400


def test_an_allowed_receiver_gets_the_webhook_and_a_wrong_port_does_not(alpha, receiver, settings):
    port = int(urlsplit(receiver.url).port or 0)
    ok = stored_channel(receiver.url)
    wrong_port = stored_channel(f"http://127.0.0.1:{ES_PORT}/_search")

    sent, refused = ping(ok), ping(wrong_port)

    assert (sent.status_code, sent.error) == (200, "")
    assert refused.status_code is None and "not allowed" in refused.error
    assert len(receiver.requests) == 1
    assert receiver.requests[0].headers["host"] == f"127.0.0.1:{port}"


def test_badly_written_allowed_targets_are_a_configuration_error(alpha, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.WEBHOOK_ALLOWED_TARGETS = ["127.0.0.1"]
    with pytest.raises(ImproperlyConfigured, match="host:port"):
        admin(alpha).post(CHANNELS, {"name": "x", "kind": "webhook", "url": "https://hooks.example.com/"})


def test_only_the_first_kib_of_a_reply_is_kept(alpha, receiver):
    receiver.reply_with(b'{"index": "mentions", "hits": "' + b"x" * 5000 + b'"}')
    channel = admin(alpha).post(CHANNELS, {"name": "chatty", "kind": "webhook", "url": receiver.url}).json()

    admin(alpha).post(f"{CHANNELS}/{channel['id']}/test")
    logged = admin(alpha).get("/api/v1/deliveries").json()["results"][0]["attempts"][0]

    assert logged["status_code"] == 200
    assert logged["response_excerpt"] == '{"index": "mentions", "hits": "' + "x" * (1024 - 31)
    assert len(logged["response_excerpt"].encode()) == 1024


def test_https_to_a_pinned_address_names_the_host_in_tls(alpha, dns, settings, tmp_path):
    """The TLS handshake (SNI, and the certificate check) is for the URL's host, not for the address dialled."""
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=hooks.tls.example",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    names: list[str | None] = []

    def record_name(_sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _context: ssl.SSLContext) -> None:
        names.append(name)

    context.sni_callback = record_name
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        try:
            context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            pass  # the client refuses our self-signed certificate, as it should
        finally:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.WEBHOOK_ALLOWED_TARGETS = [f"127.0.0.1:{port}"]
    dns.answers["hooks.tls.example"] = [["127.0.0.1"]]
    channel = (
        admin(alpha)
        .post(CHANNELS, {"name": "tls", "kind": "webhook", "url": f"https://hooks.tls.example:{port}/h"})
        .json()
    )

    attempt = ping(channel["id"])
    thread.join(timeout=5)
    server.close()

    assert names == ["hooks.tls.example"]
    assert attempt.status_code is None and "CERTIFICATE_VERIFY_FAILED" in attempt.error
