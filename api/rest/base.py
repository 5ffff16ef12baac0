from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import viewsets

from api.principals import Principal


class TenantViewSet(viewsets.GenericViewSet):
    """Lists come from a selector that checks the caller's permission; views never build querysets themselves."""

    model: type[Model]
    lookup_value_regex = r"[0-9]+"

    @property
    def principal(self) -> Principal:
        assert isinstance(self.request.user, Principal)
        return self.request.user

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.select()

    def select(self) -> QuerySet[Any]:
        raise NotImplementedError
