"""A real SMTP server on loopback (aiosmtpd) for tests and benchmarks: it counts the connections
opened, keeps what each recipient received, can take a while per message (a provider's pace),
and can hang up once at a chosen point of the conversation.

    server = LoopbackSMTP(delay=0.01).start()
    settings.MAILERS = server.mailers()
    ...
    server.connections, server.received["person@example.org"], server.stop()

`cut`, once: "rcpt" hangs up at RCPT TO (the message certainly not taken), "after data" once the
whole message arrived, before the 250 that would have said it was taken (it may have gone).

The fixture `smtp_server` is registered for every test (conftest.py's `pytest_plugins`) and
points the app's mailer at a fresh server.
"""

import asyncio
import socket
import threading
from collections import defaultdict
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


class LoopbackSMTP:
    def __init__(self, *, delay=0.0):
        self.delay = delay
        self.cut = None
        self.connections = 0
        self.received = defaultdict(list)  # recipient -> [plain-text body, ...], in arrival order
        self.arrived = []  # (recipient, plain-text body) in arrival order
        self.messages = 0
        self._lock = threading.Lock()
        server = self

        class _Controller(Controller):
            def factory(self):
                with server._lock:
                    server.connections += 1
                return SMTP(self.handler, **self.SMTP_kwargs)

        with socket.socket() as probe:  # a free port (the controller checks it listens by connecting)
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = _Controller(self, hostname="127.0.0.1", port=self.port)

    def start(self):
        self._controller.start()
        with self._lock:
            self.connections = 0  # the controller's own check that it listens is not a client's
        return self

    def stop(self):
        self._controller.stop()

    def mailers(self) -> dict:
        """settings.MAILERS that send through this server, as production would (Django's SMTP backend)."""
        options = {"host": "127.0.0.1", "port": self.port, "timeout": 10}
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}

    def bodies(self) -> list[str]:
        return [body for _, body in self.arrived]

    # aiosmtpd's handler hooks

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.cut == "rcpt":
            self.cut = None
            server.transport.close()
            return "421 closing"  # never reaches the client
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = message_from_bytes(envelope.content)
        part = next((p for p in message.walk() if p.get_content_type() == "text/plain"), message)
        body = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        with self._lock:
            self.messages += 1
            for recipient in envelope.rcpt_tos:
                self.received[recipient].append(body)
                self.arrived.append((recipient, body))
        if self.cut == "after data":
            self.cut = None
            server.transport.close()
            return "421 closing"  # never reaches the client: it cannot know the message was taken
        return "250 queued"


@pytest.fixture
def smtp_server(settings):
    """A LoopbackSMTP the app's mailer sends to, stopped at the end."""
    server = LoopbackSMTP().start()
    settings.MAILERS = server.mailers()
    yield server
    server.stop()


def serve(pipe, delay=0.0):
    """A LoopbackSMTP in a process of its own (a benchmark's: its time is not the sender's).
    Sends its port on `pipe`, serves until anything arrives on it, then sends what it saw:
    {"connections", "messages", "received": {recipient: count}}."""
    server = LoopbackSMTP(delay=delay).start()
    pipe.send(server.port)
    pipe.recv()
    with server._lock:
        pipe.send(
            {
                "connections": server.connections,
                "messages": server.messages,
                "received": {to: len(bodies) for to, bodies in server.received.items()},
            }
        )
    server.stop()
