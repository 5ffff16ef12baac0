from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "tenants.billing"
    label = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.billing.suspension import refuse_writes_while_suspended
        from tenants.identity.principals import permission_guard_register

        permission_guard_register(refuse_writes_while_suspended)
