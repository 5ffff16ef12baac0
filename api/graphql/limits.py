"""What a GraphQL document may ask for: size in tokens, aliases, depth, page sizes, introspection, storable text.

Every limit is a validation step before any resolver runs; the view turns such a refusal into a 4xx.
"""

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from graphql import (
    GraphQLError,
    ValidationRule,
    get_named_type,
    is_introspection_type,
    is_specified_scalar_type,
)
from graphql.language import (
    FieldNode,
    FloatValueNode,
    IntValueNode,
    OperationDefinitionNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    VisitorAction,
)
from graphql.utilities import value_from_ast_untyped
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from api.graphql.paging import MAX_FIRST
from config import jsonsafe
from config.errors import NotAuthenticatedError, ValidationError
from config.unicode import find_broken_text

BROKEN_TEXT = "Text contains a NUL character or broken Unicode (lone surrogate)."


class IntrospectionNeedsCredentialsRule(ValidationRule):
    def enter_field(self, node: FieldNode, *_args: Any) -> VisitorAction:
        type_ = get_named_type(self.context.get_type())
        if type_ is None or not is_introspection_type(type_):
            return None
        message = "Introspection (__schema, __type) needs an authenticated caller."
        error = NotAuthenticatedError(message, field=node.name.value)
        self.report_error(GraphQLError(message, node, original_error=error))
        return self.SKIP


class StorableLiteralsRule(ValidationRule):
    """Literals in the document get the checks the variables get in the view.

    `"\\u0000"` decodes to a NUL that PostgreSQL refuses. A number in a JSON argument is not checked by
    graphql-core (a 5,000-digit one becomes NaN); Int and Float arguments are, so those are left to it.
    """

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if find_broken_text(node.value):
            self._refuse(node, ValidationError(BROKEN_TEXT, field="query", code="invalid_encoding"))

    def enter_int_value(self, node: IntValueNode, *_args: Any) -> None:
        self._check_number(node)

    def enter_float_value(self, node: FloatValueNode, *_args: Any) -> None:
        self._check_number(node)

    def _check_number(self, node: IntValueNode | FloatValueNode) -> None:
        expected = get_named_type(self.context.get_input_type())
        if expected is not None and is_specified_scalar_type(expected):
            return
        try:
            # GraphQL's number literals are JSON numbers: the same bounds as the variables.
            jsonsafe.loads(node.value, field="query")
        except ValidationError as exc:
            self._refuse(node, exc)

    def _refuse(self, node: ValueNode, error: ValidationError) -> None:
        self.report_error(GraphQLError(error.message, node, original_error=error))


def page_size_rule(variables: dict[str, Any]) -> type[ValidationRule]:
    """A rule holding every list's `first` to 1..MAX_FIRST before a resolver or the optimizer's prefetch sees it.

    Validation knows no variables, so the rule is made per request with them.
    """

    class PageSizeRule(ValidationRule):
        defaults: dict[str, Any]

        def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
            self.defaults = {
                d.variable.name.value: value_from_ast_untyped(d.default_value)
                for d in node.variable_definitions or []
                if d.default_value is not None
            }

        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            definition = self.context.get_field_def()
            given = next((a.value for a in node.arguments or [] if a.name.value == "first"), None)
            if definition is None or "first" not in definition.args or given is None:
                return
            first = self._value(given)
            if first is None or (isinstance(first, int) and not 1 <= first <= MAX_FIRST):
                message = f"first is between 1 and {MAX_FIRST}."
                error = ValidationError(message, field="first")
                self.report_error(GraphQLError(message, given, original_error=error))

        def _value(self, node: ValueNode) -> Any:
            if isinstance(node, VariableNode):
                name = node.name.value
                return variables[name] if name in variables else getattr(self, "defaults", {}).get(name)
            return value_from_ast_untyped(node)

    return PageSizeRule


class PageSizes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        variables = self.execution_context.variables or {}
        self.execution_context.validation_rules = (*self.execution_context.validation_rules, page_size_rule(variables))
        yield


class IntrospectionForAuthenticatedCallers(SchemaExtension):
    """The schema is no secret from a tenant's users and keys (GraphiQL needs it), but strangers get no map."""

    def on_operation(self) -> Iterator[None]:
        request = getattr(self.execution_context.context, "request", None)
        if getattr(request, "principal", None) is None:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                IntrospectionNeedsCredentialsRule,
            )
        yield


def limit_extensions() -> list[Any]:
    """Factories, so the settings are read per request (tests change them)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=settings.GRAPHQL_MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=settings.GRAPHQL_MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
        IntrospectionForAuthenticatedCallers,
        PageSizes,
        lambda: AddValidationRules([StorableLiteralsRule]),
    ]
