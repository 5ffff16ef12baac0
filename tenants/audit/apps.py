from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tenants.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from config.audit import recorder_register
        from tenants.audit.services import audit_record

        recorder_register(audit_record)
