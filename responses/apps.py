from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.deadletters.services import dead_letter_retrier_register
        from monitoring.models import DeadLetterKind
        from monitoring.warning.signals import alert_changed
        from responses.promotion.handlers import on_alert_changed
        from responses.sla.services import case_clock_retry

        alert_changed.connect(on_alert_changed, dispatch_uid="responses.promotion")
        dead_letter_retrier_register(DeadLetterKind.CASE_CLOCK, case_clock_retry)
