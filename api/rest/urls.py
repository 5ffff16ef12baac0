from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from api.rest import (
    aftercare,
    analytics,
    audit,
    billing,
    cases,
    commitments,
    dead_letters,
    evaluation,
    follow_ups,
    identity,
    monitoring,
    notifications,
    platform,
    playbook_revisions,
    playbooks,
    scripts,
    sla,
    statements,
    topics,
    warning,
    watch,
)

router = SimpleRouter(trailing_slash=False)
router.register("users", identity.UserViewSet, basename="user")
router.register("invitations", identity.InvitationViewSet, basename="invitation")
router.register("api-keys", identity.ApiKeyViewSet, basename="api-key")
router.register("mentions", monitoring.MentionViewSet, basename="mention")
router.register("rules", monitoring.RuleViewSet, basename="rule")
router.register("topics", topics.TopicViewSet, basename="topic")
router.register("brands", monitoring.BrandViewSet, basename="brand")
router.register("warning-policies", warning.WarningPolicyViewSet, basename="warning-policy")
router.register("alerts", warning.AlertViewSet, basename="alert")
router.register("silences", warning.SilenceViewSet, basename="silence")
router.register("cases", cases.CaseViewSet, basename="case")
router.register("tasks", cases.TaskViewSet, basename="task")
router.register("follow-ups", follow_ups.FollowUpViewSet, basename="follow-up")
router.register(r"cases/(?P<id>[0-9]+)/affected-users", aftercare.AffectedUserViewSet, basename="affected-user")
router.register(r"cases/(?P<id>[0-9]+)/commitments", commitments.CaseCommitmentViewSet, basename="case-commitment")
router.register("commitments", commitments.CommitmentViewSet, basename="commitment")
router.register("sla-policies", sla.SlaPolicyViewSet, basename="sla-policy")
router.register("statements", statements.StatementViewSet, basename="statement")
router.register("reply-scripts", scripts.ReplyScriptViewSet, basename="reply-script")
router.register("playbooks", playbooks.PlaybookViewSet, basename="playbook")
router.register("playbook-revisions", playbook_revisions.PlaybookRevisionViewSet, basename="playbook-revision")
router.register("notification-channels", notifications.NotificationChannelViewSet, basename="notification-channel")
router.register("deliveries", notifications.DeliveryViewSet, basename="delivery")
router.register("audit-log", audit.AuditLogViewSet, basename="audit-entry")
router.register("dead-letters", dead_letters.DeadLetterViewSet, basename="dead-letter")
router.register("billing/invoices", billing.InvoiceViewSet, basename="billing-invoice")

auth_urlpatterns = [
    path("auth/token", identity.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh", identity.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/password-reset", identity.PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm", identity.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"
    ),
]

urlpatterns = [
    *auth_urlpatterns,
    path("me", identity.MeView.as_view(), name="me"),
    path("invitations/accept", identity.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("webhook-event-types", notifications.WebhookEventTypeListView.as_view(), name="webhook-event-types"),
    path("analytics/key-nodes", analytics.KeyNodesView.as_view(), name="analytics-key-nodes"),
    path("analytics/forecast", analytics.ForecastView.as_view(), name="analytics-forecast"),
    path("analytics/share-of-voice", analytics.ShareOfVoiceView.as_view(), name="analytics-share-of-voice"),
    path("analytics/trends", analytics.TrendsView.as_view(), name="analytics-trends"),
    path("billing", billing.BillingView.as_view(), name="billing"),
    path("cases/<int:id>/follow-up-board", follow_ups.FollowUpBoardView.as_view(), name="follow-up-board"),
    path("topic-settings", topics.TopicSettingsView.as_view(), name="topic-settings"),
    path("follow-up-settings", follow_ups.FollowUpSettingsView.as_view(), name="follow-up-settings"),
    path("evaluation-settings", evaluation.EvaluationSettingsView.as_view(), name="evaluation-settings"),
    path("watch-settings", watch.WatchSettingsView.as_view(), name="watch-settings"),
    path("billing/checkout", billing.BillingCheckoutView.as_view(), name="billing-checkout"),
    path("billing/portal", billing.BillingPortalView.as_view(), name="billing-portal"),
    path("", include(router.urls)),
]

# The billing admin's API and Stripe's webhooks: public schema only, never on a tenant's host.
platform_router = SimpleRouter(trailing_slash=False)
platform_router.register("platform/tenants", platform.PlatformTenantViewSet, basename="platform-tenant")
platform_router.register("platform/plans", platform.PlanViewSet, basename="platform-plan")
platform_router.register("platform/usage", platform.PlatformUsageViewSet, basename="platform-usage")

public_only_urlpatterns: list[URLPattern | URLResolver] = [
    path("billing/stripe-webhook", billing.StripeWebhookView.as_view(), name="billing-stripe-webhook"),
    path("platform/metrics", platform.PlatformMetricsView.as_view(), name="platform-metrics"),
    path("", include(platform_router.urls)),
]

public_urlpatterns: list[URLPattern | URLResolver] = [
    *auth_urlpatterns,
    path("me", identity.MeView.as_view(), name="me"),
    *public_only_urlpatterns,
]
