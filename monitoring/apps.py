import functools

from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from monitoring.deadletters.services import Quarantine, dead_letter_record, dead_letter_retrier_register
        from monitoring.models import DeadLetterKind
        from monitoring.search.index import tenant_index_delete, tenant_index_ensure_or_later
        from monitoring.search.outbox import mention_index_retry
        from monitoring.services import brands_in_use, rules_in_use
        from monitoring.warning.engine import warning_scope_retry
        from monitoring.warning.handlers import alert_handler_retry
        from monitoring.warning.services import default_policy_create
        from tenants import hooks
        from tenants.billing.usage import usage_counter_register
        from tenants.notifications.dead_letters import DeadLetters, dead_letters_register
        from tenants.notifications.delivery import delivery_dead_letter_retry
        from tenants.notifications.models import Delivery

        # Every tenant starts with the default policy and its own search index.
        hooks.schema_setup_register(default_policy_create)
        hooks.search_index_register(hooks.SearchIndex(ensure=tenant_index_ensure_or_later, delete=tenant_index_delete))
        # What the plan's rules and brands limits count, for the daily usage snapshot.
        usage_counter_register("rules", rules_in_use)
        usage_counter_register("brands", brands_in_use)
        dead_letter_retrier_register(DeadLetterKind.SEARCH_INDEX, mention_index_retry)
        dead_letter_retrier_register(DeadLetterKind.WARNING_SCOPE, warning_scope_retry)
        dead_letter_retrier_register(DeadLetterKind.ALERT_HANDLER, alert_handler_retry)
        # Notifications cannot import the dead-letter store, so it is handed to them here.
        kind = DeadLetterKind.WEBHOOK_DELIVERY
        dead_letters_register(
            DeadLetters(
                record=functools.partial(dead_letter_record, kind=kind, item_model=Delivery._meta.label),
                guard=functools.partial(Quarantine, kind, Delivery),
            )
        )
        dead_letter_retrier_register(kind, delivery_dead_letter_retry)
