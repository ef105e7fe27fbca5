#!/usr/bin/env python3
"""A real SMTP server on 127.0.0.1 for pocdir's tests (aiosmtpd).

Every accepted message is saved to DIR as <n>.eml, with <n>.json holding its
envelope ({"mail_from", "rcpt_tos", "tls", "auth"}), written atomically.
Prints "READY <port>" on stdout once it accepts connections, then serves
until stdin is closed (the test ends) or it is killed; or, when aiosmtpd or
trustme cannot be imported, "MISSING <module>: <the command to install it>"
and exits with status 3.

Options:
  --dir DIR              where messages go (created)
  --refuse-after N       accept N messages, then answer DATA with 451
  --reject-rcpt ADDR     answer RCPT TO:<ADDR> with 550 (repeatable)
  --tls none|starttls|implicit
                         STARTTLS offered and required, or TLS from the
                         first byte; the test CA goes to DIR/../ca.pem
  --auth USER:PASSWORD   require AUTH (PLAIN or LOGIN) with these credentials
"""

import argparse
import importlib.util
import json
import os
import socket
import ssl
import sys

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    # trustme (imported with --tls only: it is slow to import) must be there.
    if importlib.util.find_spec("trustme") is None:
        raise ModuleNotFoundError("No module named 'trustme'", name="trustme")
except ImportError as e:
    # Said on stdout, where the tests read "READY <port>": they fail with it.
    print("MISSING %s: pip install -r tests/smtp/requirements.txt" % (e.name or e), flush=True)
    sys.exit(3)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Handler:
    def __init__(self, folder, refuse_after, reject):
        self.folder = folder
        self.refuse_after = refuse_after
        self.reject = {r.lower() for r in reject}
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and self.accepted >= self.refuse_after:
            return "451 4.7.1 Too many messages: try again later"
        self.accepted += 1
        n = self.accepted
        base = os.path.join(self.folder, "%04d" % n)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": session.ssl is not None
            or server.transport.get_extra_info("sslcontext") is not None,
            "auth": session.authenticated,
        }
        for ext, data in ((".eml", envelope.original_content),
                          (".json", json.dumps(meta).encode())):
            with open(base + ext + ".part", "wb") as f:
                f.write(data)
            os.replace(base + ext + ".part", base + ext)
        return "250 2.0.0 Ok: queued as TEST%04d" % n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--refuse-after", type=int)
    ap.add_argument("--reject-rcpt", action="append", default=[])
    ap.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    ap.add_argument("--auth")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)

    kwargs = {}
    ssl_context = None
    if a.tls != "none":
        import trustme

        ca = trustme.CA()
        cert = ca.issue_cert("127.0.0.1", "localhost")
        ca.cert_pem.write_to_path(os.path.join(a.dir, os.pardir, "ca.pem"))
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(ctx)
        if a.tls == "starttls":
            kwargs["tls_context"] = ctx
            kwargs["require_starttls"] = True
        else:
            ssl_context = ctx
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword)
                  and auth_data.login == user.encode()
                  and auth_data.password == password.encode())
            # handled=False: aiosmtpd answers 535 itself on a failure.
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        # Credentials only over STARTTLS-protected links or clear ones when
        # the test asks (aiosmtpd does not count implicit TLS as TLS here;
        # the link is encrypted from the first byte anyway).
        kwargs["auth_require_tls"] = a.tls == "starttls"

    port = free_port()
    controller = Controller(
        Handler(a.dir, a.refuse_after, a.reject_rcpt),
        hostname="127.0.0.1",
        port=port,
        ssl_context=ssl_context,
        server_hostname="127.0.0.1",
        **kwargs,
    )
    controller.start()
    print("READY %d" % port, flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
