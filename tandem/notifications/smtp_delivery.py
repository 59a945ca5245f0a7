"""SMTP delivery that cannot send a message twice.

smtplib's `sendmail` sends the content and the terminating "." in one go, so a worker that dies
right after the server accepted a message, but before it recorded "sent", would send it again
on the next attempt. Here the transaction is driven by hand: MAIL, RCPT, DATA and the whole
content go out, then `commit()` records "sent" in the database, and only then the final "." asks
the server to accept the message.

- A crash before `commit()` leaves an SMTP transaction without its final dot: the server
  discards it when the connection drops, the row's lease expires, and a later attempt sends it
  once.
- The one remaining window: after `commit()` and before the final dot reaches the server (or
  before the server has read it). The row says sent, the server never accepted the message: it
  is lost. Tandem prefers losing a message in that window (microseconds) to sending it twice.
- When the server answers the final dot with an explicit refusal, nothing was accepted:
  `RefusedAfterCommit` (with the server's code) lets the caller undo "sent" and retry, or give
  up at once on a permanent (5xx) refusal. When the connection fails while
  waiting for that answer, the outcome is unknown and the row stays sent.
"""

import re
import smtplib
import socket
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address

_LINE_ENDINGS = re.compile(rb"\r\n|\n|\r(?!\n)")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class RefusedAfterCommit(Exception):
    """The server refused the message at its final dot: it was not accepted."""

    def __init__(self, code: int, reply: str) -> None:
        super().__init__(f"{code} {reply}")
        self.smtp_code = code


class OutcomeUnknown(Exception):
    """The connection failed after the final dot was sent: the server may have accepted it."""


def _payload(email: EmailMessage) -> bytes:
    data = _LINE_ENDINGS.sub(b"\r\n", email.message().as_bytes(linesep="\r\n"))
    data = _LEADING_DOT.sub(b"..", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class SmtpSession:
    """One SMTP connection (opened by Django's SMTP backend: TLS, login) used for a batch."""

    def __init__(self, backend: SmtpBackend) -> None:
        self.backend = backend

    def _connection(self) -> smtplib.SMTP:
        if self.backend.connection is None:
            self.backend.open()
            connection = self.backend.connection
            if connection is None:
                raise smtplib.SMTPServerDisconnected("Could not connect to the SMTP server.")
            # The final dot is a tiny write right after the content: without NODELAY, Nagle's
            # algorithm holds it until the server's (delayed) ACK, ~40 ms per message.
            if connection.sock is not None:
                connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        connection = self.backend.connection
        if connection is None:
            raise smtplib.SMTPServerDisconnected("Could not connect to the SMTP server.")
        return connection

    def abort(self) -> None:
        """Drop the connection without QUIT: an unfinished transaction is discarded."""
        connection = self.backend.connection
        self.backend.connection = None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        self.backend.close()

    def send(self, email: EmailMessage, commit: Callable[[], bool]) -> bool:
        """Send `email`, calling `commit()` between the content and the final dot. Returns False
        (the message discarded) when `commit()` says no; True once the server accepted it.
        Raises smtplib errors before the commit, RefusedAfterCommit or OutcomeUnknown after."""
        encoding = email.encoding or "utf-8"
        sender = sanitize_address(email.from_email, encoding)
        recipients = [sanitize_address(address, encoding) for address in email.recipients()]
        payload = _payload(email)
        try:
            connection = self._connection()
            connection.ehlo_or_helo_if_needed()
            code, reply = connection.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            for recipient in recipients:
                code, reply = connection.rcpt(recipient)
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
            connection.putcmd("data")
            code, reply = connection.getreply()
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            connection.send(payload)
        except Exception:
            self.abort()
            raise
        try:
            committed = commit()
        except Exception:
            self.abort()
            raise
        if not committed:
            self.abort()
            return False
        try:
            connection.send(b".\r\n")
            code, reply = connection.getreply()
        except (OSError, smtplib.SMTPException) as error:
            self.abort()
            raise OutcomeUnknown(str(error)) from error
        if code != 250:
            self.abort()
            raise RefusedAfterCommit(code, reply.decode(errors="replace"))
        return True
