from config.errors import ValidationError


class RuleSyntaxError(ValidationError):
    """A rule expression that cannot be parsed or breaks a limit; `column` is 1-based in the original expression."""

    code = "invalid_expression"

    def __init__(self, problem: str, column: int) -> None:
        super().__init__(f"{problem} at column {column}", field="expression", code=self.code)
        self.column = column
