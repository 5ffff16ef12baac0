from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.deadletters.services import dead_letter_retrier_register
        from monitoring.models import DeadLetterKind
        from monitoring.search.outbox import mention_index_retry
        from monitoring.warning.engine import warning_scope_retry
        from monitoring.warning.handlers import alert_handler_retry

        dead_letter_retrier_register(DeadLetterKind.SEARCH_INDEX, mention_index_retry)
        dead_letter_retrier_register(DeadLetterKind.WARNING_SCOPE, warning_scope_retry)
        dead_letter_retrier_register(DeadLetterKind.ALERT_HANDLER, alert_handler_retry)
