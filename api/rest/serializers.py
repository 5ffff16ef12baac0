from rest_framework import serializers

from tenants.identity.models import ApiKey, Invitation, InvitationStatus, User
from tenants.identity.roles import Role


class TokenObtainInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class TokenRefreshInput(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class TokenPairOutput(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class AccessTokenOutput(serializers.Serializer):
    access = serializers.CharField()


class TenantSummaryOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class MeOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["user", "api_key"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    role = serializers.ChoiceField(choices=Role.choices)
    tenant = TenantSummaryOutput(allow_null=True)


class UserOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_active", "created_at"]


class InvitationOutput(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=InvitationStatus.choices, read_only=True)
    user_id = serializers.IntegerField(read_only=True, allow_null=True, help_text="The account made on acceptance.")

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "name",
            "role",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
            "user_id",
        ]


class InvitationCreateInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)
    name = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="Suggested; the invitee may change it."
    )


TOKEN_HELP = "The token from the mailed link (its `token` query parameter)."


class InvitationAcceptInput(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text=TOKEN_HELP)
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class PasswordResetInput(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class PasswordResetConfirmInput(serializers.Serializer):
    token = serializers.CharField(max_length=200, help_text=TOKEN_HELP)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class AcceptedOutput(serializers.Serializer):
    detail = serializers.CharField()


class UserUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class ApiKeyOutput(serializers.ModelSerializer):
    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "role", "created_at", "expires_at", "revoked_at", "last_used_at"]


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="The full key. Shown only once.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=Role.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class CheckOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["up", "down"])
    latency_ms = serializers.FloatField()
    error = serializers.CharField(required=False)


class ReadinessOutput(serializers.Serializer):
    status = serializers.ChoiceField(choices=["ok", "unavailable"])
    checks = serializers.DictField(child=CheckOutput())
