"""The one error hierarchy: services raise these, and both API faces render them with the same code and message."""

from dataclasses import dataclass, field


@dataclass
class FieldError:
    field: str
    message: str


class ApplicationError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        details: list[FieldError] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message, "field": self.field}
        if self.details:
            body["details"] = [{"field": d.field, "message": d.message} for d in self.details]
        return body


class ValidationError(ApplicationError):
    status_code = 400
    code = "invalid"


class PaymentRequiredError(ApplicationError):
    """The tenant's billing status does not allow this (a suspended tenant's writes)."""

    status_code = 402
    code = "payment_required"


class PlanLimitError(PaymentRequiredError):
    """The tenant's plan allows no more of something (seats, rules, brands): a 402 naming the limit."""

    code = "plan_limit"

    def __init__(self, message: str, *, limit: str, value: int, used: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.limit = limit
        self.value = value
        self.used = used

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "limit": {"name": self.limit, "value": self.value, "used": self.used}}


class NotAuthenticatedError(ApplicationError):
    status_code = 401
    code = "not_authenticated"


class AuthenticationFailedError(ApplicationError):
    status_code = 401
    code = "authentication_failed"


class PermissionDeniedError(ApplicationError):
    status_code = 403
    code = "permission_denied"


class WrongTenantError(ApplicationError):
    status_code = 403
    code = "wrong_tenant"


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"


class PayloadTooLargeError(ApplicationError):
    status_code = 413
    code = "payload_too_large"


class UnprocessableError(ApplicationError):
    """Well-formed, but it contradicts what the server already holds (an idempotency key used for another body)."""

    status_code = 422
    code = "unprocessable"


class UnsupportedMediaTypeError(ApplicationError):
    status_code = 415
    code = "unsupported_media_type"


class ServiceUnavailableError(ApplicationError):
    status_code = 503
    code = "service_unavailable"


@dataclass
class ErrorList:
    """Collects per-field problems so a request can report all of them at once."""

    items: list[FieldError] = field(default_factory=list)

    def add(self, field_name: str, message: str) -> None:
        self.items.append(FieldError(field_name, message))

    def raise_if_any(self) -> None:
        if self.items:
            first = self.items[0]
            raise ValidationError(first.message, field=first.field, details=self.items)


class TooManyRequestsError(ApplicationError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
