"""Words in text of any script: most separate them with spaces; Chinese and Japanese do not.

A record's ``word_count`` (what ``morgue corpus --min-words`` filters on) and extraction's checks
count words. Split at whitespace, a Japanese article of 3,000 characters is a few dozen "words" and
would be filtered out of a corpus as a stub; here each Han character and kana counts as a word, as
word processors count East Asian text. Text without them is counted exactly as ``len(text.split())``.
"""

from __future__ import annotations

import re

_CJK_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK = re.compile(f"[{_CJK_RANGES}]")
_WORD_CHAR = re.compile(r"\w")
#: Word tokens: runs of word characters, each Han character and kana on its own.
TOKEN = re.compile(f"[{_CJK_RANGES}]|[^\\W{_CJK_RANGES}]+")


def count_words(text: str) -> int:
    """Whitespace-separated words, with each Han character and kana counted as one."""
    cjk = len(_CJK.findall(text))
    if not cjk:
        return len(text.split())
    return cjk + sum(1 for token in _CJK.sub(" ", text).split() if _WORD_CHAR.search(token))
