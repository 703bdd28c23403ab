"""Reading the few fields the inbox keeps: time stamps, character sets, segment ends."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings

from wraparound.hl7v2.parsing import decode, parse_timestamp, segments_of


def test_hl7_time_stamps_become_aware_datetimes() -> None:
    assert parse_timestamp("20260301101200-0500") == dt.datetime(
        2026, 3, 1, 10, 12, tzinfo=dt.timezone(-dt.timedelta(hours=5))
    )
    assert parse_timestamp("20150624084727.655-0500") == dt.datetime(
        2015, 6, 24, 8, 47, 27, 655000, tzinfo=dt.timezone(-dt.timedelta(hours=5))
    )
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    assert parse_timestamp("198808181126") == dt.datetime(1988, 8, 18, 11, 26, tzinfo=local)
    assert parse_timestamp("2026^S") == dt.datetime(2026, 1, 1, tzinfo=local)  # DTM^degree of precision
    assert parse_timestamp("20261340") is None  # month 13
    assert parse_timestamp("yesterday") is None
    assert parse_timestamp("") is None


def test_text_is_read_in_the_character_set_the_message_names() -> None:
    latin = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5||||||8859/1\rPID|1||1||MÜLLER^JÖRG\r".encode("latin-1")
    assert decode(latin) == (latin.decode("latin-1"), "latin-1")
    utf8 = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5\rPID|1||1||MÜLLER\r".encode()
    assert decode(utf8) == (utf8.decode(), "utf-8")
    wrongly_declared = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|1|P|2.5\rPID|1||1||MÜLLER\r".encode("latin-1")
    assert decode(wrongly_declared)[1] == "latin-1"


def test_segments_end_with_cr_lf_or_both() -> None:
    assert segments_of("\ufeffMSH|1\r\nEVN|2\nPID|3\r\r") == ["MSH|1", "EVN|2", "PID|3"]
