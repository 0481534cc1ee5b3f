"""Hanyu Pinyin for Chinese names, as official English writes them: `Zhou Guiliang`, `Ouyang Xiu`, `Xi'an`.

Names follow their own readings: a surname's reading can differ from the character's everyday one (曾 is
Zeng, 单 is Shan), compound surnames stay one word (欧阳 → Ouyang), the given name is one word with
syllables joined, and an apostrophe marks where a syllable starting with a, o or e would run into the one
before it (`Tong'an`, not `Tongan`).
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Two-character surnames: written as one word, capitalized once.
COMPOUND_SURNAMES: dict[str, str] = {
    "欧阳": "ouyang", "司马": "sima", "上官": "shangguan", "诸葛": "zhuge", "东方": "dongfang",
    "皇甫": "huangfu", "尉迟": "yuchi", "公孙": "gongsun", "慕容": "murong", "长孙": "zhangsun",
    "宇文": "yuwen", "司徒": "situ", "夏侯": "xiahou", "令狐": "linghu", "端木": "duanmu",
    "轩辕": "xuanyuan", "独孤": "dugu", "南宫": "nangong", "西门": "ximen", "呼延": "huyan",
    "申屠": "shentu", "太史": "taishi", "万俟": "moqi", "司空": "sikong", "闻人": "wenren",
    "澹台": "tantai", "赫连": "helian", "钟离": "zhongli", "濮阳": "puyang", "淳于": "chunyu",
}  # fmt: skip

# Surnames whose reading as a surname is not the character's everyday reading.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao", "查": "zha",
    "盖": "ge", "乐": "yue", "重": "chong", "缪": "miao", "覃": "qin", "翟": "zhai", "员": "yun",
    "种": "chong", "秘": "bi", "召": "shao", "华": "hua", "任": "ren", "那": "na", "宿": "su",
    "纪": "ji", "沈": "shen", "石": "shi", "长": "chang", "薄": "bo", "卜": "bu", "殷": "yin",
    "牟": "mou", "宁": "ning", "费": "fei", "冼": "xian", "尉": "yu", "黑": "he", "相": "xiang",
    "阿": "a", "柏": "bai", "繁": "po", "句": "gou", "过": "guo", "曲": "qu", "贾": "jia",
}  # fmt: skip

# Single-character surnames common enough to be evidence of a name (the family names of about 90% of
# people in China, and those above).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
    "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项"
    "连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞"
    "敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花"
    "权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母"
    "裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸"
    "奉植衡富尧闭由赖洪阎"  # 赖 洪 阎: common surnames (Lai, Hong, Yan) the list had missed
) | frozenset(SURNAME_READINGS)

# Characters read as in names rather than by their most common reading when they stand alone.
GIVEN_NAME_READINGS: dict[str, str] = {"长": "chang", "行": "xing", "朝": "chao", "乐": "le", "和": "he"}

# Characters that place names read other than pypinyin's word-level guess (朝阳 is Chaoyang, not
# the "morning sun" zhaoyang; 重庆 Chongqing; 番禺 Panyu).
PLACE_READINGS: dict[str, str] = {"朝": "chao", "长": "chang", "重": "chong", "蚌": "beng", "番": "pan"}

_VOWEL_START = ("a", "o", "e")


def syllables(text: str, readings: dict[str, str] | None = None) -> list[str]:
    """Toneless pinyin per character (ü kept), `readings` overriding single characters."""
    read = lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)
    if len(read) != len(text):  # a character pypinyin cannot read: no romanization is better than a guess
        return []
    return [(readings or {}).get(char, syllable) for char, syllable in zip(text, read, strict=True)]


def join_syllables(parts: list[str]) -> str:
    """One word, capitalized, with an apostrophe before a, o or e after the first syllable."""
    word = ""
    for index, part in enumerate(parts):
        word += ("'" if index and part.startswith(_VOWEL_START) else "") + part
    return word[:1].upper() + word[1:]


def split_name(name: str) -> tuple[str, str] | None:
    """(surname, given name), or None when `name` does not start with a known surname."""
    if name[:2] in COMPOUND_SURNAMES and len(name) >= 3:
        return name[:2], name[2:]
    if name[:1] in SURNAMES and 2 <= len(name) <= 3:
        return name[:1], name[1:]
    return None


def romanize_person(name: str) -> str | None:
    """`周桂良` → `Zhou Guiliang`, `欧阳修` → `Ouyang Xiu`; None when it is not a surname + given name."""
    parts = split_name(name)
    if parts is None:
        return None
    surname, given = parts
    family = COMPOUND_SURNAMES.get(surname) or SURNAME_READINGS.get(surname) or "".join(syllables(surname))
    given_syllables = syllables(given, GIVEN_NAME_READINGS)
    if not family or not given_syllables:
        return None
    return f"{join_syllables([family])} {join_syllables(given_syllables)}"


def romanize_place(name: str) -> str | None:
    """`同安` → `Tong'an`, `西安` → `Xi'an`: the name as one word."""
    parts = syllables(name, PLACE_READINGS)
    return join_syllables(parts) if parts else None
