from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api.audit.services import audit_record
        from api.rest import schema  # noqa: F401  (registers the OpenAPI authenticator extensions)
        from api.webhooks.delivery import delivery_dead_letter_retry
        from config.audit import recorder_register
        from monitoring.deadletters.services import dead_letter_retrier_register
        from monitoring.models import DeadLetterKind

        recorder_register(audit_record)
        dead_letter_retrier_register(DeadLetterKind.WEBHOOK_DELIVERY, delivery_dead_letter_retry)
