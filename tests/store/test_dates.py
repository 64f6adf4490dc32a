"""`date` and `res` parameters (SPEC.md §2): every good form, and hundreds of bad ones."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from footfall.errors import BadRequest
from footfall.store.bins import MAX_DAYS, parse_dates, parse_res

D = date


def _span(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


GOOD_DATES: list[tuple[str | None, list[date] | None]] = [
    (None, None),
    ("all", None),
    ("ALL", None),
    ("", None),
    (" all ", None),
    ("20170512", [D(2017, 5, 12)]),
    (" 20170512 ", [D(2017, 5, 12)]),
    ("20170512-20170515", _span(D(2017, 5, 12), D(2017, 5, 15))),
    ("20170512-20170512", [D(2017, 5, 12)]),
    ("20161230-20170102", _span(D(2016, 12, 30), D(2017, 1, 2))),
    ("20200228-20200301", [D(2020, 2, 28), D(2020, 2, 29), D(2020, 3, 1)]),
    ("20170512,20170515", [D(2017, 5, 12), D(2017, 5, 15)]),
    ("20170515,20170512", [D(2017, 5, 12), D(2017, 5, 15)]),  # sorted
    ("20170512,20170512", [D(2017, 5, 12)]),  # distinct
    ("20170512, 20170515", [D(2017, 5, 12), D(2017, 5, 15)]),
    ("20170512-20170513,20170520", [D(2017, 5, 12), D(2017, 5, 13), D(2017, 5, 20)]),
    ("20000229", [D(2000, 2, 29)]),
    ("19700101", [D(1970, 1, 1)]),
    ("99981231", [D(9998, 12, 31)]),
    ("20250330", [D(2025, 3, 30)]),
]


@pytest.mark.parametrize(("value", "expected"), GOOD_DATES)
def test_good_dates(value: str | None, expected: list[date] | None) -> None:
    assert parse_dates(value) == expected


def test_longest_range_is_accepted() -> None:
    first = D(1970, 1, 1)
    last = first + timedelta(days=MAX_DAYS - 1)
    days = parse_dates(f"{first:%Y%m%d}-{last:%Y%m%d}")
    assert days is not None and len(days) == MAX_DAYS


def _bad_dates() -> list[str]:
    shapes = [
        "2017051",
        "201705123",
        "2017-05-12",
        "2017/05/12",
        "12052017x",
        "abcdefgh",
        "2017O512",
        "20170512-",
        "-20170512",
        "20170512--20170515",
        "20170512-20170515-20170520",
        "20170515-20170512",
        "20170512,",
        ",20170512",
        "20170512,,20170515",
        "all,20170512",
        "20170512,all",
        "today",
        "yesterday",
        "none",
        "null",
        "*",
        "%",
        "1e7",
        "-1",
        "0",
        "00000000",
        "20170012",
        "20171312",
        "20170230",
        "20190229",
        "21000229",
        "20170431",
        "20170500",
        "20170532",
        "19691231",
        "99991231",
        "00010101",
        "20170512 20170515",
        "20170512;20170515",
        "20170512+20170515",
        "20170512_20170515",
        "\x00",
        "\uff12\uff10\uff11\uff17\uff10\uff15\uff11\uff12",
        "2017\u200b0512",
        "20170512\n20170515",
        "' OR 1=1 --",
        "<script>",
        "19000101-21000101",
        "19700101-99981231",
        ",",
        ",,",
        "-",
        "--",
        " - ",
        "all-all",
        "20170512-all",
        "0x1234567",
        "+20170512",
        "2017051\uff12",
        "١٢٣٤٥٦٧٨",
    ]
    months = [f"2017{m:02d}01" for m in (0, 13, 14, 20, 99)]
    days = [f"201701{d:02d}" for d in (0, 32, 40, 99)] + [f"201702{d}" for d in (29, 30, 31)]
    years = [f"{y:04d}0101" for y in (0, 1, 999, 1000, 1969, 9999)]
    reversed_ranges = [f"2017{m:02d}15-2017{m:02d}14" for m in range(1, 13)]
    lengths = ["2" * n for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 16, 50)]
    letters = [f"2017051{c}" for c in "aAzZ!?.#"]
    combos = [f"{a},{b}" for a, b in itertools.product(["20170512", "bad"], ["20171301", "x"])]
    combos = [c for c in combos if c != "20170512,20170512"]
    too_many = [",".join(["20170512"] * 1001)]
    month_ends = {1: 31, 2: 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30}
    impossible = [f"{y}{m:02d}{d:02d}" for y in (2017, 2100) for m, last in month_ends.items()
                  for d in (0, last + 1)] + [f"{y}1232" for y in (2017, 2100)]  # fmt: skip
    separators = [f"20170512{sep}20170515" for sep in " ;:/|+_.~&\t*#@!=^"]
    return [
        *shapes,
        *months,
        *days,
        *impossible,
        *separators,
        *years,
        *reversed_ranges,
        *lengths,
        *letters,
        *combos,
        *too_many,
        *(f"{s}-20170512" for s in shapes[:30] if "-" not in s and "," not in s and s.strip()),
    ]


BAD_DATES = _bad_dates()


def test_there_are_hundreds_of_bad_dates() -> None:
    assert len(BAD_DATES) >= 150


@pytest.mark.parametrize("value", BAD_DATES)
def test_bad_dates_are_a_sentence(value: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_dates(value)
    message = caught.value.message
    assert caught.value.status == 400
    assert message[0].isupper() and message.endswith("."), message
    assert message.isprintable() and len(message) < 200, message


GOOD_RES = [(None, False, 900), ("", False, 900), ("15m", False, 900), ("1h", False, 3600),
            ("24h", False, 86400), (" 1h ", False, 3600), ("1m", True, 60), ("15m", True, 900),
            ("24h", True, 86400)]  # fmt: skip


@pytest.mark.parametrize(("value", "allow_1m", "expected"), GOOD_RES)
def test_good_res(value: str | None, allow_1m: bool, expected: int) -> None:
    assert parse_res(value, allow_1m=allow_1m) == expected


BAD_RES = ["1m", "15", "15min", "15M", "1H", "60m", "30m", "5m", "1d", "day", "24", "2h", "0",
           "-15m", "15m,1h", "900", "3600", "86400", "all", "\x00", "1h\n1h", "\uff11h",
           "15m;"]  # fmt: skip


@pytest.mark.parametrize("value", BAD_RES)
def test_bad_res(value: str) -> None:
    with pytest.raises(BadRequest, match=r"^The resolution .* is not one of 15m, 1h or 24h\.$"):
        parse_res(value)


@pytest.mark.parametrize("value", ["1s", "2m", "1M", "1w"])
def test_bad_res_with_1m(value: str) -> None:
    with pytest.raises(BadRequest, match=r"is not one of 1m, 15m, 1h or 24h\.$"):
        parse_res(value, allow_1m=True)
