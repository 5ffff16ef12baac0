from django.urls import include, path
from rest_framework.routers import SimpleRouter

from api.rest import identity

router = SimpleRouter(trailing_slash=False)
router.register("users", identity.UserViewSet, basename="user")
router.register("api-keys", identity.ApiKeyViewSet, basename="api-key")

auth_urlpatterns = [
    path("auth/token", identity.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh", identity.TokenRefreshView.as_view(), name="auth-token-refresh"),
]

urlpatterns = [
    *auth_urlpatterns,
    path("me", identity.MeView.as_view(), name="me"),
    path("", include(router.urls)),
]

public_urlpatterns = [
    *auth_urlpatterns,
    path("me", identity.PublicMeView.as_view(), name="me"),
]
