from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from api.rest import schema  # noqa: F401  (registers the OpenAPI authenticator extensions)
