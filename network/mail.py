"""Outgoing email: by SMTP when MAIL_SERVER is set, otherwise written to the log (development). Notification
emails go out as background jobs (network/jobs), each tried again when the mail server refuses it."""
from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from network.jobs import task


def send_email(to: str, subject: str, body: str) -> None:
    """Send a plain-text email. Call it only after the transaction it reports on has committed."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)

    if not config.get("MAIL_SERVER"):
        current_app.logger.info("Email not sent (no MAIL_SERVER configured):\n%s", message)
        if current_app.testing:  # tests read the messages here instead of from the log
            current_app.extensions.setdefault("network_outbox", []).append(message)
        return

    smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
        if config.get("MAIL_USE_TLS") and not config.get("MAIL_USE_SSL"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


@task(retries=4, retry_delay=300, describe=lambda to, subject, body, what="notification": what)
def deliver_email(to: str, subject: str, body: str, what: str = "notification") -> None:
    """The job: one email, tried again (4 more times, 5 minutes apart) while the mail server fails. Its
    failure report names the kind of email only: its address and text stay out of job_failures."""
    send_email(to, subject, body)


def send_notifications(emails: list[tuple[str, str, str]], what: str = "notification") -> None:
    """After the commit, when a mail server is configured: each email is queued as a job. A mail server (or a
    queue) that fails does not undo the change that the emails report, it is only logged."""
    if not current_app.config.get("MAIL_SERVER"):
        return
    for to, subject, body in emails:
        try:
            deliver_email(to, subject, body, what)
        except Exception:  # the queue itself is unreachable (Redis down): the email is lost, the change stays
            current_app.logger.exception("Could not queue a %s to %s", what, to)
