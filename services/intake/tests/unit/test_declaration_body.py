"""A declaration's free text is text: control characters (NUL cannot even be stored) are refused."""

import pytest
from pydantic import ValidationError

from intake.schemas import DeclarationIn


@pytest.mark.parametrize("name", ["数据\x00共享平台", "数据\x1b[31m平台", "\x7f平台"])
def test_a_project_name_with_control_characters_is_refused_naming_the_field(name):
    with pytest.raises(ValidationError) as error:
        DeclarationIn(unit_id="U-1", project_name=name, declared_amount_yuan=100, project_class="service")
    assert error.value.errors()[0]["loc"] == ("project_name",)


def test_line_breaks_and_tabs_stay_allowed():
    assert DeclarationIn(unit_id="U-1", project_name="智慧校园\t二期\n平台", declared_amount_yuan=100, project_class="service").project_name
