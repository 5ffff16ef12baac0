import pytest

from config.errors import ValidationError
from config.jsonsafe import loads


def test_ordinary_documents_parse() -> None:
    assert loads('{"a": [1, 2.5, "x", null, true], "b": -9223372036854775808}') == {
        "a": [1, 2.5, "x", None, True],
        "b": -(2**63),
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[" * 1000 + "]" * 1000, "too_deep"),
        ("[" * 65 + "]" * 65, "too_deep"),
        ('{"n": ' + "9" * 4400 + "}", "number_out_of_range"),
        ('{"n": 9223372036854775808}', "number_out_of_range"),
        ('{"n": 1e400}', "number_out_of_range"),
        ('{"n": NaN}', "malformed_json"),
        ('{"n": 1', "malformed_json"),
    ],
)
def test_documents_out_of_bounds_are_refused_naming_the_field(text: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        loads(text, field="variables")
    assert caught.value.code == code
    assert caught.value.field == "variables"
