"""Chinese formats where Django's differ from what a browser needs: an ``<input type="date">``
holds its value as ISO 8601 (2026-12-07) and shows an empty field for anything else, so a date
field renders its value by the first input format — ISO here (Django's zh_Hans lists 2026/12/07
first). The other ways a person types a date are still read."""

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-12-07, what a date input sends and expects
    "%Y/%m/%d",  # 2026/12/07
    "%Y年%m月%d日",  # 2026年12月7日
]

DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # a datetime-local input
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
]
