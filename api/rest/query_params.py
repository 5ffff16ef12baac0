"""Unknown query parameters are a 400 naming the parameter. What each operation allows is read from the OpenAPI
schema it publishes (its declared filters plus the paging parameters), so documentation and validation cannot drift.
"""

import threading
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework.viewsets import ViewSetMixin

from config.errors import ValidationError

# (view class, HTTP method, viewset action or None) -> the query parameter names the operation declares.
_Declared = dict[tuple[type, str, str | None], frozenset[str]]
_declared: _Declared | None = None
_lock = threading.Lock()


def _build() -> _Declared:
    # Every route of every host (config.urls_schema), as the published schema has them.
    generator = SchemaGenerator(urlconf=spectacular_settings.SERVE_URLCONF)
    paths = generator.get_schema(request=None, public=True)["paths"]
    declared: _Declared = {}
    # drf-spectacular fills `endpoints` with (path, path_regex, method, callback); its stubs say three.
    endpoints: list[tuple[str, str, str, Any]] = list(generator.endpoints or [])  # type: ignore[arg-type]
    for path, _regex, method, callback in endpoints:
        view = generator.create_view(callback, method)
        operation = paths.get(generator.coerce_path(path, method, view), {}).get(method.lower())
        if operation is None:
            continue
        names = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
        action = getattr(view, "action", None) if isinstance(view, ViewSetMixin) else None
        declared[(callback.cls, method.upper(), action)] = names
    return declared


def declared_query_params(view_class: type, method: str, action: str | None) -> frozenset[str] | None:
    """The operation's declared query parameters; None for a view the schema does not describe."""
    global _declared
    if _declared is None:
        with _lock:
            if _declared is None:
                _declared = _build()
    method = "GET" if method == "HEAD" else method
    for cls in view_class.__mro__:
        found = _declared.get((cls, method, action))
        if found is not None:
            return found
    return None


def check_query_params(view: Any, method: str, given: Any) -> None:
    if not given:
        return
    allowed = declared_query_params(type(view), method, getattr(view, "action", None))
    if allowed is None:
        return
    for name in given:
        if name not in allowed:
            expected = ", ".join(sorted(allowed)) or "none"
            raise ValidationError(
                f"Unknown query parameter '{name[:100]}'; this operation takes: {expected}.",
                field=name[:100],
                code="unknown_parameter",
            )
