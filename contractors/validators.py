"""The BIN (business identification number) of a Kazakh legal entity: 12 digits, the last a check
digit computed with weights 1..11, and if that gives 10, again with weights 3..11,1,2."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_FIRST = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_SECOND = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def bin_check_digit(first11: str) -> int | None:
    digits = [int(c) for c in first11]
    check = sum(d * w for d, w in zip(digits, _FIRST, strict=True)) % 11
    if check == 10:
        check = sum(d * w for d, w in zip(digits, _SECOND, strict=True)) % 11
    return None if check == 10 else check


def validate_bin(value: str) -> None:
    if len(value) != 12 or not value.isdigit():
        raise ValidationError(_("A BIN is exactly 12 digits."), code="bin_format")
    if bin_check_digit(value[:11]) != int(value[11]):
        raise ValidationError(
            _("This BIN's check digit is wrong: please check the number."), code="bin_checksum"
        )
