"""Automatic renderings of the people, places and bodies a document names, by the conventions of official
English: Hanyu Pinyin names, standard units (`Tong'an District`), place + body (`Xiamen Administration for
Market Regulation`).

A wrong automatic rendering is worse than none, so a candidate becomes a term only on strong evidence:
- a person: right after a title (区长周桂良) or as a byline in brackets ending a paragraph ((陈永)), starting
  with a known surname, followed by punctuation or a word that follows names (出席, 表示, …), and not a
  common word in the segmenter's dictionary (主任, 同志); or without a title on the evidence `people.py`
  weighs (a name the segmenter finds twice, a list of people);
- a place: a word the segmenter (jieba) tags as a place name (`ns`) with an administrative suffix, its name
  at least two characters and not a word like 全市, 社区 or 开发区;
- a body: a place found here or in the glossary, directly followed by a body the glossary knows.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from service.glossary.compose import compose_bodies
from service.glossary.divisions import bare_places
from service.glossary.romanize import romanize_person, romanize_place, split_name

TermKind = Literal["person", "place", "body"]

# Titles a name follows, longest first so that 副区长 wins over 区长.
TITLES = sorted(
    """区长 副区长 市长 副市长 省长 副省长 县长 副县长 镇长 副镇长 乡长 局长 副局长 处长 副处长 科长 主任 副主任
    书记 副书记 部长 副部长 主席 副主席 总理 副总理 委员 常委 总经理 副总经理 董事长 副董事长 院长 副院长 校长
    所长 厅长 副厅长 司长 秘书长 会长 理事长 总裁 记者 通讯员 发言人 大使 教授 研究员 厂长 行长 社长 主编 检察长
    庭长 政委 司令员 专员 总监 经理 主持人 负责人 党组书记 一级巡视员 巡视员 调研员""".split(),
    key=len,
    reverse=True,
)
# What comes right after a name in news prose: the end of the name is certain there.
FOLLOWERS = sorted(
    """出席 参加 主持 表示 指出 强调 在 等 一行 同志 和 与 及 讲话 调研 带队 介绍 说 代表 致辞 宣布 率 陪同 会见
    发表 作 提出 要求 当选 任 是 也 就 对 表态 的 为 向 到 深入 先后 分别 一同 会同 来 赴 则 称 认为 透露 告诉 希望
    报道 摄 撰文 获悉""".split(),
    key=len,
    reverse=True,
)
# Verbs of speech that, right after a word the segmenter tags as a person, confirm a name: 徐大哲说.
SPEECH = ("说", "表示", "介绍", "指出", "认为", "告诉", "称", "强调", "透露", "坦言", "回忆", "解释", "补充")
_PUNCTUATION = set("，。、；：！？,.;:!?（）()《》“”\"' \n")

# Longest first: 新区 is a New Area, not a District named "...xin".
PLACE_UNITS: dict[str, str] = {
    "自治区": "Autonomous Region", "自治州": "Autonomous Prefecture", "自治县": "Autonomous County",
    "街道": "Subdistrict", "新区": "New Area", "省": "Province", "市": "City", "区": "District",
    "县": "County", "镇": "Town", "乡": "Township", "村": "Village",
}  # fmt: skip
# Units under which another place may follow at once: 泉州市丰泽区, 福建省晋江市.
_PARENT_UNITS = ("省", "市", "自治州")
# Cities written without "City", and names whose standard English is not their pinyin.
WELL_KNOWN_CITIES: dict[str, str] = {
    "北京": "Beijing", "天津": "Tianjin", "上海": "Shanghai", "重庆": "Chongqing", "广州": "Guangzhou",
    "深圳": "Shenzhen", "厦门": "Xiamen", "南京": "Nanjing", "杭州": "Hangzhou", "武汉": "Wuhan",
    "成都": "Chengdu", "西安": "Xi'an", "沈阳": "Shenyang", "大连": "Dalian", "青岛": "Qingdao",
    "宁波": "Ningbo", "济南": "Jinan", "哈尔滨": "Harbin", "长春": "Changchun", "长沙": "Changsha",
    "郑州": "Zhengzhou", "福州": "Fuzhou", "南昌": "Nanchang", "合肥": "Hefei", "昆明": "Kunming",
    "贵阳": "Guiyang", "南宁": "Nanning", "海口": "Haikou", "兰州": "Lanzhou", "西宁": "Xining",
    "银川": "Yinchuan", "乌鲁木齐": "Urumqi", "拉萨": "Lhasa", "呼和浩特": "Hohhot", "太原": "Taiyuan",
    "石家庄": "Shijiazhuang", "苏州": "Suzhou", "无锡": "Wuxi", "佛山": "Foshan", "东莞": "Dongguan",
    "泉州": "Quanzhou", "温州": "Wenzhou", "珠海": "Zhuhai", "汕头": "Shantou", "烟台": "Yantai",
    "漳州": "Zhangzhou", "莆田": "Putian", "三亚": "Sanya", "桂林": "Guilin", "喀什": "Kashgar",
}  # fmt: skip
# Words the segmenter may tag as places that are not names: "the whole city", "community", "park zone".
NOT_PLACE_NAMES = frozenset(
    """全 本 该 我 各 此 外 城 地 社 小 园 景 山 农 乡 辖 片 市 郊 县 新 老 东 西 南 北 中 城乡 开发 自贸 试验 示范
    保护 高新 经济 工业 产业 商业 风景 旅游 行政 自治 特别行政 少数民族 边疆 贫困 重点 核心 中心 城市
    老城 新城 主城 古城 县城 城中 郊""".split()
)

# Characters that mark a transliterated foreign name (新斯科舍, 哈利法克斯, 戴纽斯): pinyin of those is
# wrong (Nova Scotia, Halifax, Danius). One of the first set, or two of the second, and no guess is made.
FOREIGN_MARKS = frozenset("斯尔茨兹弗姆娜莎丝妮蕾汀逊舍")
FOREIGN_HINTS = frozenset(
    "亚伊克特诺纳纽拉夫奥埃赫卡勒普索蒂迪基默鲁洛瓦佩萨彼曼玛菲莱耶贝柯库宜布哈利科塔维罗尼"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_lock = threading.Lock()


def looks_foreign(name: str) -> bool:
    return any(char in FOREIGN_MARKS for char in name) or sum(char in FOREIGN_HINTS for char in name) >= 2


@dataclass(frozen=True)
class AutoTerm:
    term: str
    rendering: str
    kind: TermKind


def tagged(text: str) -> list[tuple[str, str]]:
    """jieba's words with their part-of-speech tags (its dictionary loads once, on first use)."""
    import jieba
    import jieba.posseg as pseg

    with _lock:  # jieba's lazy initialisation is not thread-safe
        jieba.setLogLevel(logging.WARNING)
        return [(pair.word, pair.flag) for pair in pseg.cut(text)]


def warm_up() -> None:
    """Load the segmenter's dictionary now (about 1.5 s), not in the first request that needs it."""
    tagged("厦门市")


def dictionary_tag(word: str) -> str | None:
    import jieba.posseg as pseg

    tag: str | None = pseg.dt.word_tag_tab.get(word)
    return tag


def _ends_name(text: str, end: int) -> bool:
    if end >= len(text) or text[end] in _PUNCTUATION:
        return True
    return any(text.startswith(word, end) for word in FOLLOWERS)


_NAME_DOTS = frozenset("·•・‧")  # 约翰·霍华德: the dot joins the parts of a transliterated foreign name


def _person(text: str, start: int) -> str | None:
    """The name starting at `start`, if it is a surname + one or two given characters ending cleanly.
    Shortest first: in 莫兰说 the name ends before 说, which would also end cleanly at the comma."""
    if start > 0 and text[start - 1] in _NAME_DOTS:
        return None
    for size in (2, 3, 4):
        name = text[start : start + size]
        if len(name) < size or not all(_HAN.match(char) for char in name):
            continue
        if split_name(name) is None or not _ends_name(text, start + size):
            continue
        if looks_foreign(name[1:]):  # 戴纽斯 is Danius, not Dai Niusi
            return None
        tag = dictionary_tag(name)
        if tag is not None and not tag.startswith("nr"):
            return None  # a common word (主任, 同志): a name here would be a guess
        return name
    return None


# A two-character speaker is as often a transliteration (莫兰 is Moran) as a Chinese name.
SPEAKER_NAME_LENGTH = 3


def _speakers(words: list[tuple[str, str]]) -> list[int]:
    """Where words tagged as people start when a verb of speech follows them: the segmenter's tag, the
    sentence and (checked after) the surname agree. Only names of three characters or more: without a
    title, a two-character one is too often a foreign name written in characters."""
    starts, position = [], 0
    for index, (word, tag) in enumerate(words):
        following = words[index + 1][0] if index + 1 < len(words) else ""
        # Only words the segmenter found itself: its dictionary tags 卓越 ("excellent") and 王府井 as names.
        unknown = dictionary_tag(word) is None
        if (
            tag.startswith("nr")
            and unknown
            and SPEAKER_NAME_LENGTH <= len(word) <= 4
            and following.startswith(SPEECH)
        ):
            starts.append(position)
        position += len(word)
    return starts


def find_people(text: str, words: list[tuple[str, str]]) -> dict[str, str]:
    """Names after titles, bracketed bylines ending a paragraph, and people tagged as such who speak:
    {name: `Surname Given`}. `words` are the text's tagged words."""
    found: dict[str, str] = {}
    titles = "|".join(map(re.escape, TITLES))
    starts = [match.end() for match in re.finditer(f"(?:{titles})", text)]
    starts += [match.start(1) for match in re.finditer(r"[（(]([\u4e00-\u9fff]{2,4})[）)]\s*$", text, re.M)]
    speakers = _speakers(words)
    for start in starts + speakers:
        name = _person(text, start)
        if name and start in speakers and start not in starts and len(name) < SPEAKER_NAME_LENGTH:
            continue
        rendering = romanize_person(name) if name else None
        if name and rendering:
            found.setdefault(name, rendering)
    return found


def _place(name: str, unit: str) -> str | None:
    # Names holding another unit are nested places the segmenter joined; ethnic autonomous areas have
    # official English names of their own (Xinjiang Uygur, not "Weiwu'er"): neither is guessed.
    nested = any(part in name for part in ("省", "市", "区", "县", "自治", "族"))
    if len(name) < 2 or name in NOT_PLACE_NAMES or nested or unit.startswith("自治") or looks_foreign(name):
        return None
    if unit == "省":  # every Chinese province is in the built-in glossary: another is abroad (纳塔尔省)
        return None
    if any(name.endswith(suffix) or name.startswith(suffix) for suffix in ("开发", "自贸", "示范", "试验")):
        return None
    if unit == "市" and name in WELL_KNOWN_CITIES:
        return WELL_KNOWN_CITIES[name]
    base = _place_name(name)
    return f"{base} {PLACE_UNITS[unit]}" if base else None


def _place_name(name: str) -> str | None:
    """A place's name alone: its standard spelling where it has one, else its pinyin."""
    return WELL_KNOWN_CITIES.get(name) or romanize_place(name)


def _split_units(words: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Nested places the segmenter kept as one word come apart: 上海市浦东新区 → 上海市, 浦东新区."""
    split: list[tuple[str, str]] = []
    for word, tag in words:
        cut = next((i + 1 for i in range(2, len(word) - 1) if word[i] in _PARENT_UNITS), 0)
        split += [(word[:cut], tag), (word[cut:], tag)] if tag == "ns" and cut else [(word, tag)]
    return split


def _unit_of(word: str, following: str) -> tuple[str, str] | None:
    """(name, unit) for `word` ending in a unit, or for `word` followed by one."""
    if word.endswith("地区"):  # a prefecture, but also "area" (沿海地区, coastal areas): never guessed
        return None
    for unit in PLACE_UNITS:
        if word.endswith(unit):
            return word[: -len(unit)], unit
    return (word, following) if following in PLACE_UNITS else None


def find_places(text: str, words: list[tuple[str, str]]) -> dict[str, str]:
    """Place names with an administrative unit, and their bare names where the document also uses them:
    {`同安区`: `Tong'an District`, `同安`: `Tong'an`}. A word counts when the segmenter tags it as a
    place, or when it names a unit and comes right after a place that can hold one (泉州市丰泽区)."""
    split = _split_units(words)
    found: dict[str, str] = {}
    parent = False  # the word before was a province, city or prefecture found here
    for index, (word, tag) in enumerate(split):
        following = split[index + 1][0] if index + 1 < len(split) else ""
        named = _unit_of(word, following) if tag == "ns" or parent else None
        rendering = _place(*named) if named else None
        parent = False
        if named is None or rendering is None:
            continue
        name, unit = named
        parent = unit in _PARENT_UNITS
        if name + unit in found:
            continue
        found[name + unit] = rendering
        bare = _place_name(name)
        if bare and text.count(name) > text.count(name + unit):
            found.setdefault(name, bare)
    return found


def auto_terms(
    text: str, places: Mapping[str, str], bodies: Mapping[str, str], titles: Mapping[str, str] | None = None
) -> list[AutoTerm]:
    """Every automatic term of `text` (Simplified script). `places`, `bodies` and `titles` are the
    glossary's own, so that bodies (and a body's titles) compose with places the glossary already renders."""
    from service.glossary.people import more_people  # it builds on this module's finders

    words = tagged(text)  # once: tagging is most of the cost (about 1.3 s per 70,000 characters)
    people = find_people(text, words)
    people |= more_people(text, words, people)
    found_places = find_places(text, words)
    provinces = {
        term[:-1]: english.removesuffix(" Province")
        for term, english in places.items()
        if term.endswith("省") and english.endswith(" Province")
    }
    for bare, english in bare_places(words, provinces, WELL_KNOWN_CITIES, PLACE_UNITS).items():
        found_places.setdefault(bare, english)
    composed = compose_bodies(text, {**found_places, **places}, bodies, titles or {})
    terms: Iterable[tuple[str, str, TermKind]] = [
        *((term, rendering, "person") for term, rendering in people.items()),
        *((term, rendering, "place") for term, rendering in found_places.items()),
        *((term, rendering, "body") for term, rendering in composed.items()),
    ]
    return [AutoTerm(term, rendering, kind) for term, rendering, kind in terms]
