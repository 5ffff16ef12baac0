from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api.audit.services import audit_record
        from api.rest import schema  # noqa: F401  (registers the OpenAPI authenticator extensions)
        from config.audit import recorder_register

        recorder_register(audit_record)
