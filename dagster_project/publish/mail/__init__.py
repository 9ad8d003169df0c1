"""Delivering county reports (SPEC §4): by SMTP when `XMK_SMTP_*` is set, otherwise as
`.eml` files in the outbox for the project centre to send by hand.

Each message carries a key — region, month and the digest of the report — and its
Message-ID is made from the key, so the same report keeps it across retries. The send log
(JSON lines, `out/outbox/send_log.jsonl`) records every attempt with what became of it:

* `sent`     the server answered 250 to the message: never sent again;
* `refused`  the server said no (to MAIL, RCPT, DATA or the message): a 4xx is tried
             again on the next run, a 5xx is held until the operator releases it (or
             the recipients change, e.g. a corrected contact_email);
* `failed`   nothing was handed over (no connection, TLS or login refused, the line
             dropped or timed out before the whole message went): tried again next run;
* `unknown`  the whole message, its final `.` included, went to the server, and its
             reply was lost (a timeout, a dropped line): it may have arrived, so it is
             held — never sent again unless the operator releases it
             (`xmk mail release KEY`). A `sending` line without a later one is a run
             that stopped while handing the message over, and counts as `unknown`.

SMTP gives no way to ask a server afterwards whether a message arrived; the operator asks
the county, or looks the Message-ID up in the mail server's log.
"""

from dagster_project.publish.mail.delivery import DeliveryReport, deliver
from dagster_project.publish.mail.message import (
    DEFAULT_SENDER,
    KEY_HEADER,
    REGION_HEADER,
    SmtpSettings,
    build_department_message,
    build_message,
    contact_addresses,
    message_id,
    report_key,
)
from dagster_project.publish.mail.send_log import SendLog, release, send_log_path, status_text

__all__ = [
    "DEFAULT_SENDER",
    "KEY_HEADER",
    "REGION_HEADER",
    "DeliveryReport",
    "SendLog",
    "SmtpSettings",
    "build_department_message",
    "build_message",
    "contact_addresses",
    "deliver",
    "message_id",
    "release",
    "report_key",
    "send_log_path",
    "status_text",
]
