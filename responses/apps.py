from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.deadletters.services import dead_letter_retrier_register
        from monitoring.models import DeadLetterKind
        from responses.sla.services import case_clock_retry

        dead_letter_retrier_register(DeadLetterKind.CASE_CLOCK, case_clock_retry)
