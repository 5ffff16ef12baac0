from rest_framework import serializers

from config.jsonsafe import INT_MAX
from tenants.notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    NotificationChannel,
    WebhookFormat,
)
from tenants.notifications.signing import secret_mask

ROBOT_SECRET_HELP = (
    "dingtalk and feishu only: the 加签 secret the robot's settings show (DingTalk's starts with SEC); "
    "requests are then signed the platform's way. Write-only; an empty string clears it."
)


class ChannelOutput(serializers.ModelSerializer):
    secret = serializers.SerializerMethodField(help_text="Masked; shown in full only when created or rotated.")
    robot_signing = serializers.BooleanField(
        read_only=True, help_text="Whether a robot secret is set (the secret itself is never shown)."
    )

    class Meta:
        model = NotificationChannel
        fields = [
            "id",
            "name",
            "kind",
            "url",
            "format",
            "emails",
            "event_types",
            "is_active",
            "secret",
            "robot_signing",
            "created_at",
            "updated_at",
            "archived_at",
            "archived_by",
        ]

    def get_secret(self, channel: NotificationChannel) -> str | None:
        return secret_mask(channel.secret)


class ChannelWithSecretOutput(ChannelOutput):
    secret = serializers.CharField(  # type: ignore[assignment]
        allow_null=True, help_text="The full signing secret (whsec_…). Shown only this once; null for email."
    )

    def to_representation(self, channel: NotificationChannel) -> dict[str, object]:
        data = super().to_representation(channel)
        data["secret"] = channel.secret or None
        return data


class ChannelCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ChannelKind.choices)
    url = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    format = serializers.ChoiceField(choices=WebhookFormat.choices, required=False, allow_null=True, default=None)
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False, default=list)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="Empty: every event type.",
    )
    is_active = serializers.BooleanField(required=False, default=True)
    robot_secret = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=200, help_text=ROBOT_SECRET_HELP
    )


class ChannelUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    format = serializers.ChoiceField(choices=WebhookFormat.choices, required=False)
    emails = serializers.ListField(child=serializers.CharField(max_length=254), required=False)
    event_types = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    is_active = serializers.BooleanField(required=False)
    robot_secret = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text=ROBOT_SECRET_HELP)


class DeliveryAttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_excerpt"]


class DeliveryOutput(serializers.ModelSerializer):
    channel = serializers.IntegerField(source="channel_id")
    attempts = DeliveryAttemptOutput(many=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "event_id",
            "event_type",
            "title",
            "text",
            "payload",
            "status",
            "attempt_count",
            "max_attempts",
            "next_attempt_at",
            "created_at",
            "completed_at",
            "attempts",
        ]


class DeliveryFilterInput(serializers.Serializer):
    channel = serializers.IntegerField(required=False, min_value=1, max_value=INT_MAX)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    event_type = serializers.CharField(required=False, max_length=100)


class WebhookEventTypeOutput(serializers.Serializer):
    name = serializers.CharField(help_text="What `event_types` of a channel and the `type` of a webhook body say.")
    description = serializers.CharField()
    schema = serializers.JSONField(help_text="JSON Schema (2020-12) of the generic-format webhook body.")


class WebhookEventTypeListOutput(serializers.Serializer):
    results = WebhookEventTypeOutput(many=True)
    next_cursor = serializers.CharField(allow_null=True, help_text="Always null: the catalogue is one page.")
    previous_cursor = serializers.CharField(allow_null=True, help_text="Always null: the catalogue is one page.")
