from django.apps import AppConfig


class ResponsesConfig(AppConfig):
    name = "responses"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.warning.signals import alert_changed
        from responses.promotion import on_alert_changed

        alert_changed.connect(on_alert_changed, dispatch_uid="responses.promotion")
