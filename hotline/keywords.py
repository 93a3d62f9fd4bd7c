"""Reading a 12329 text: which query its keyword asks, whatever the case, width or spacing.

Each query has a pinyin abbreviation (YE, JC, JD, BZ, as 12329 services print them), Chinese words
and English words. Full-width letters (ＹＥ) and spaces are folded away (NFKC) before matching;
anything else asks for help. An English word also tells the language of the sender.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from hotline.models import Query

ENGLISH = "en"
CHINESE = "zh-hans"

#: keyword → (query, language the word is in); pinyin abbreviations are read as Chinese.
KEYWORDS: dict[str, tuple[str, str]] = {
    "YE": (Query.BALANCE, CHINESE),
    "余额": (Query.BALANCE, CHINESE),
    "查余额": (Query.BALANCE, CHINESE),
    "BALANCE": (Query.BALANCE, ENGLISH),
    "JC": (Query.DEPOSIT, CHINESE),
    "缴存": (Query.DEPOSIT, CHINESE),
    "DEPOSIT": (Query.DEPOSIT, ENGLISH),
    "JD": (Query.PROGRESS, CHINESE),
    "进度": (Query.PROGRESS, CHINESE),
    "PROGRESS": (Query.PROGRESS, ENGLISH),
    "BZ": (Query.HELP, CHINESE),
    "帮助": (Query.HELP, CHINESE),
    "HELP": (Query.HELP, ENGLISH),
}

# Punctuation people type around a keyword ("YE.", "余额？"), removed after folding.
_STRIP = " \t\r\n.,!?;:。，！？；：、\"'“”‘’()（）【】[]"


@dataclass(frozen=True)
class Keyword:
    query: str
    language: str | None  # the language the word is in, None for an unknown word


def read_keyword(text: str) -> Keyword:
    """The query ``text`` asks for; an unknown or empty text asks for help, in no known language."""
    folded = "".join(unicodedata.normalize("NFKC", text or "").split()).strip(_STRIP).upper()
    found = KEYWORDS.get(folded)
    if found is None:
        return Keyword(query=Query.HELP, language=None)
    return Keyword(query=found[0], language=found[1])
