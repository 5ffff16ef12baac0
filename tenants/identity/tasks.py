"""Celery entry points for identity: account mail, sent by a worker."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail


@shared_task(
    name="identity.account_mail_send", acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def account_mail_send(subject: str, body: str, to: str) -> None:
    """An invitation or password-reset mail, sent by a worker: how long SMTP takes must not tell a caller of the
    reset endpoint whether the address has an account."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])
