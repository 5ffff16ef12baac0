"""The post-crisis watch over REST: the shapes of a case's watch (GET /cases/{id}/watch, POST /cases/{id}/watch/end,
actions of the case viewset) and the tenant's watch period."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ApiView
from responses.watch import settings as watch_settings


class RecurrenceOutput(serializers.Serializer):
    alert = serializers.IntegerField(help_text="The alert the watch policy opened.")
    level = serializers.ChoiceField(choices=["blue", "yellow", "orange", "red"], help_text="Its peak level.")
    opened_at = serializers.DateTimeField()


class CaseWatchOutput(serializers.Serializer):
    policy = serializers.IntegerField(
        allow_null=True, help_text="The warning policy watching the case's scope; null before a resolution."
    )
    active = serializers.BooleanField(help_text="The watch is evaluated now (not ended, expired or switched off).")
    started_at = serializers.DateTimeField(allow_null=True, help_text="The resolution it started at.")
    expires_at = serializers.DateTimeField(allow_null=True)
    recurrences = RecurrenceOutput(many=True, help_text="Every alert the watch opened, oldest first.")


class WatchSettingsSerializer(serializers.Serializer):
    watch_days = serializers.IntegerField(
        min_value=0,
        max_value=watch_settings.MAX_WATCH_DAYS,
        help_text="Days a resolved case's scope is watched for a recurrence; 0: no watch.",
    )
    is_default = serializers.BooleanField(read_only=True)


class WatchSettingsView(ApiView):
    @extend_schema(
        operation_id="watch_settings_retrieve",
        responses=WatchSettingsSerializer,
        summary="How many days after its resolution a case's scope is watched for a recurrence",
    )
    def get(self, request: Request) -> Response:
        found = watch_settings.watch_settings_get(actor=request.user)  # type: ignore[arg-type]
        return Response(WatchSettingsSerializer(found).data)

    @extend_schema(
        operation_id="watch_settings_update",
        request=WatchSettingsSerializer,
        responses=WatchSettingsSerializer,
        summary="Set the post-crisis watch period for cases resolved from now on (admins)",
    )
    def patch(self, request: Request) -> Response:
        data = WatchSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = watch_settings.watch_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(WatchSettingsSerializer(found).data)
