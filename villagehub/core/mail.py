"""The hub's one way to send e-mail, and the development outbox.

`email_send` renders a message from `templates/emails/<name>/` (`subject.txt`, `body.txt`,
`body.html`) in the recipient's language and sends it through Django's mail framework, so
that whatever `EMAIL_URL` names (SMTP, console, file, memory, the outbox) receives it.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.utils import translation


def email_render(
    *, template: str, context: Mapping[str, Any], language: str, html: bool = True
) -> tuple[str, str, str]:
    """Subject, text and HTML (empty when `html=False`) of a message, in `language`."""
    context = {"HUB_NAME": settings.HUB_NAME, "HUB_URL": settings.HUB_URL, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html_body = render_to_string(f"emails/{template}/body.html", context) if html else ""
    return subject, text, html_body


def email_assemble(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    connection=None,
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    """A message of parts already rendered (see `email_render`); no HTML part if `html` is
    empty. For senders that render one body for many recipients."""
    message = EmailMultiAlternatives(
        subject, text, to=[to], connection=connection, headers=dict(headers or {})
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def email_message(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    connection=None,
    headers: Mapping[str, str] | None = None,
    html: bool = True,
) -> EmailMultiAlternatives:
    """`html=False` sends the text alone, for people who asked for plain text."""
    subject, text, html_body = email_render(
        template=template, context=context, language=language, html=html
    )
    message = email_assemble(
        to=to, subject=subject, text=text, html=html_body, connection=connection, headers=headers
    )
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def email_send(**kwargs: Any) -> None:
    """Render (see `email_message`, same keyword arguments) and send one message."""
    email_message(**kwargs).send()


class OutboxBackend(BaseEmailBackend):
    """Keeps messages in the database, readable at /outbox/ while DEBUG is on."""

    def send_messages(self, email_messages):
        from .models import OutboxMessage

        rows = []
        for message in email_messages:
            html = next(
                (
                    body
                    for body, mimetype in getattr(message, "alternatives", [])
                    if "html" in mimetype
                ),
                "",
            )
            rows.append(
                OutboxMessage(
                    to=", ".join(message.recipients()),
                    subject=message.subject,
                    body=message.body,
                    html=html,
                    attachments=[
                        {"filename": a[0], "mimetype": a[2]}
                        for a in message.attachments
                        if isinstance(a, tuple)
                    ],
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)
