"""Place + body terms: `厦门市市场监管局` → `Xiamen Administration for Market Regulation`; a title after
them: `厦门市市场监管局局长` → `Director of the Xiamen Administration for Market Regulation`; and a body's own
title after its place: `同安区委副书记` → `Deputy Secretary of the Tong'an District Committee`.

The glossary matches the longest term at each position, left to right. Without the composed title, the
seed's 同安区委副书记 matched 同安区 first, which hid 区委副书记 (it starts inside 同安区), and the model wrote
"Tong'an District Party Committee Chairman" for a deputy secretary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# What follows a body's name when the text names a part of it (its school, its office, a department): the
# place + body is then not what the sentence names. On WMT19, 四川省委党校 was told to the model as 四川省委 =
# "Sichuan Provincial Party Committee", and the line said the man was its secretary.
BODY_PARTS = tuple(
    "党校 学校 办公厅 办公室 宣传部 组织部 统战部 政法委 研究室 巡视组 机关 直属 所属 下属".split()
)
_OF_THE = " of the "
# A place's unit, and its English: 同安区 "Tong'an District" is also 同安 "Tong'an" before 区委 (the District
# Party Committee), which holds the unit again.
_UNITS = {"省": " Province", "市": " City", "区": " District", "县": " County"}


def compose_bodies(
    text: str, places: Mapping[str, str], bodies: Mapping[str, str], titles: Mapping[str, str]
) -> dict[str, str]:
    """Every place directly followed by a body in `text`, rendered; where a title of that body follows
    (`titles` holds 区委副书记 = "Deputy Secretary of the District Committee"), the place + title too."""
    if not places or not bodies:
        return {}
    places = _with_bare_forms(places)
    pattern = re.compile(
        "({})({})".format(
            "|".join(map(re.escape, sorted(places, key=len, reverse=True))),
            "|".join(map(re.escape, sorted(bodies, key=len, reverse=True))),
        )
    )
    found: dict[str, str] = {}
    for match in pattern.finditer(text):
        place, body = match.group(1), match.group(2)
        if text.startswith(BODY_PARTS, match.end()):
            continue  # 四川省委党校 is the committee's Party School, not the committee
        found.setdefault(place + body, f"{places[place]} {bodies[body]}")
        title = _title_after(text, match.end(), body, titles)
        if title is not None and _OF_THE in titles[title]:
            # "Deputy Secretary of the District Committee" → "… of the Tong'an District Committee"
            found.setdefault(place + title, titles[title].replace(_OF_THE, f"{_OF_THE}{places[place]} ", 1))
        elif (head := _head_after(text, match.end(), titles)) is not None:
            # 厦门市市场监管局局长: told only its parts, qwen-pypi wrote "Director Xu Guohua" without the body
            found.setdefault(place + body + head, f"{titles[head]}{_OF_THE}{found[place + body]}")
    return found


def _title_after(text: str, end: int, body: str, titles: Mapping[str, str]) -> str | None:
    """The longest title that begins with `body` and goes on with what `text` has at `end`."""
    fitting = [
        t
        for t in titles
        if t.startswith(body) and len(t) > len(body) and text.startswith(t[len(body) :], end)
    ]
    return max(fitting, key=len, default=None)


def _head_after(text: str, end: int, titles: Mapping[str, str]) -> str | None:
    """The longest title of a head of any body (局长 "Director") that `text` has at `end`."""
    heads = [t for t in titles if " of " not in titles[t] and text.startswith(t, end)]
    return max(heads, key=len, default=None)


def _with_bare_forms(places: Mapping[str, str]) -> dict[str, str]:
    """`places` and, for each name with a unit, the name without it (its English without the unit's)."""
    bare = {
        term[:-1]: english.removesuffix(_UNITS[term[-1]])
        for term, english in places.items()
        if len(term) >= 3 and term[-1] in _UNITS
    }
    return {**bare, **places}
