"""Kazakh dates and numbers, which Django does not ship: the same in pages and PDFs."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import formats, translation


def test_kazakh_dates_read_as_kazakh_writes_them():
    moment = dt.datetime(2026, 9, 1, 9, 8, tzinfo=ZoneInfo("Asia/Almaty"))
    with translation.override("kk"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 қыркүйек 2026, 09:08"
        assert formats.date_format(moment.date(), "DATE_FORMAT") == "1 қыркүйек 2026"
        assert formats.date_format(moment.date(), "SHORT_DATE_FORMAT") == "01.09.2026"


def test_kazakh_numbers_have_a_decimal_comma_and_spaces_between_thousands():
    with translation.override("kk"):
        text = formats.number_format(1234567.5, decimal_pos=1, force_grouping=True)
    assert text == "1\xa0234\xa0567,5"


def test_russian_and_english_keep_their_own_formats():
    moment = dt.datetime(2026, 9, 1, 9, 8, tzinfo=ZoneInfo("Asia/Almaty"))
    with translation.override("ru"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "1 сентября 2026 г. 9:08"
    with translation.override("en"):
        assert formats.number_format(1234.5, decimal_pos=1, force_grouping=True) == "1,234.5"
