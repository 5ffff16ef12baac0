"""Who a request counts against and how much it may do: the API-wide limit, and requests to the account endpoints
(invitations, password reset). Login failures are counted by identity (tenants/identity/login_limits.py)."""

from django.conf import settings
from django.http import HttpRequest

from api.origin import client_ip
from config import ratelimit
from config.errors import TooManyRequestsError
from config.ratelimit import Window
from tenants.billing.quotas import api_requests_per_minute
from tenants.billing.usage import api_request_count
from tenants.identity.principals import Principal

API_WINDOW_SECONDS = 60


def client_address(request: HttpRequest) -> str:
    """The caller's address as the audit log sees it (X-Forwarded-For only from TRUSTED_PROXIES)."""
    return client_ip(request) or request.META.get("REMOTE_ADDR", "") or ""


def limit_for(principal: Principal | None) -> int:
    """Requests per minute for this caller; the place for per-tenant or per-plan limits to plug in."""
    if principal is None:
        return int(settings.RATE_LIMIT_ANONYMOUS_PER_MINUTE)
    return int(settings.RATE_LIMIT_PER_MINUTE)


def api_request_hit(principal: Principal | None, address: str) -> Window:
    """Count one API request against its key or user, or its client address when it has no valid credentials.

    A tenant whose plan sets `api_requests_per_minute` has that limit instead, for all its keys and users together
    (the counter is the tenant's: cache keys carry its schema). A tenant's requests that pass are metered for its
    usage (tenants.billing.usage)."""
    plan_limit = api_requests_per_minute() if principal is not None else None
    if plan_limit is not None:
        window = ratelimit.hit("api-plan", "tenant", limit=plan_limit, seconds=API_WINDOW_SECONDS)
    else:
        identity = f"{principal.kind}:{principal.id}" if principal is not None else f"address:{address}"
        window = ratelimit.hit("api", identity, limit=limit_for(principal), seconds=API_WINDOW_SECONDS)
    if principal is not None and not window.exceeded:
        api_request_count()
    return window


def account_request_hit(*, address: str, email: str | None = None) -> None:
    """Count one request to an endpoint that acts on a mailed token or sends one; 429 once the client address (or,
    for reset requests, the email address) has used up its window. Counted whether the email exists or not."""
    seconds = int(settings.ACCOUNT_WINDOW_SECONDS)
    scopes = [("account-address", address, int(settings.ACCOUNT_MAX_REQUESTS_PER_ADDRESS))]
    if email is not None:
        scopes.append(("account-email", email.strip().lower(), int(settings.ACCOUNT_MAX_REQUESTS_PER_EMAIL)))
    for scope, identity, limit in scopes:
        window = ratelimit.hit(scope, identity, limit=limit, seconds=seconds)
        if window.exceeded:
            raise TooManyRequestsError(
                f"Too many requests; try again in {window.reset} seconds.",
                retry_after=window.reset,
                code="too_many_attempts",
            )
