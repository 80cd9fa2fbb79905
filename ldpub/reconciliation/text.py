"""Name normalisation for reconciliation: one comparable form per name, whatever its script or romanisation.

Pure functions, no I/O. A name is compared in three forms, each explainable in a candidate's features:

* :func:`normalise`: Unicode NFKC, case folded, diacritics dropped (``Sŏng`` → ``song``), apostrophes
  dropped (``ch'ŏl`` → ``chol``), every other punctuation a space, spaces collapsed;
* :func:`squash`: the normal form without spaces (``Pak Song-chol`` = ``Pak Songchol``);
* :func:`fold`: the squashed form with the vowel spellings that differ between the romanisations of
  Korean folded together (Revised Romanisation ``eo``/``eu`` against McCune–Reischauer ``ŏ``/``ŭ``), so
  ``Pak Seong-cheol`` and ``Pak Sŏng-ch'ŏl`` meet.

Original-script names (Chinese characters, Hangul) keep their characters; they are compared as they are.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'’‘ʼʻ`´"
_NON_WORD = re.compile(r"[\W_]+")
_FOLDS = (("eo", "o"), ("eu", "u"), ("wo", "o"))


def normalise(name: str) -> str:
    """The comparable form of a name.

    >>> normalise("Pak Sŏng-ch'ŏl")
    'pak song chol'
    >>> normalise("  KIM  IL-SUNG ")
    'kim il sung'
    >>> normalise("中华人民共和国 外交部")
    '中华人民共和国 外交部'
    >>> normalise("People's Republic of China")
    'peoples republic of china'
    """
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return " ".join(_NON_WORD.sub(" ", text).split())


def squash(normal: str) -> str:
    """A normal form without its spaces.

    >>> squash("pak song chol")
    'paksongchol'
    """
    return normal.replace(" ", "")


def fold(normal: str) -> str:
    """The squashed form with Korean romanisation vowel spellings folded together.

    >>> fold(normalise("Pak Seong-cheol")) == fold(normalise("Pak Sŏng-ch'ŏl"))
    True
    >>> fold("kim il sung")
    'kimilsung'
    """
    text = squash(normal)
    for old, new in _FOLDS:
        text = text.replace(old, new)
    return text


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds Chinese characters, kana or Hangul (scripts written without spaces).

    >>> has_cjk("吉林省"), has_cjk("박성철"), has_cjk("Jilin")
    (True, True, False)
    """
    return any(
        "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text
    )


def prefix_keys(normal: str) -> set[str]:
    """The keys under which a name is found by prefix: the name from each word on, with and without
    spaces, and for names in a script without spaces, from each character on.

    >>> sorted(prefix_keys("pak song chol"))
    ['chol', 'pak song chol', 'paksongchol', 'song chol', 'songchol']
    >>> sorted(prefix_keys("吉林省"))
    ['吉林省', '林省', '省']
    """
    words = normal.split()
    keys: set[str] = set()
    for i in range(len(words)):
        rest = " ".join(words[i:])
        keys.update((rest, squash(rest)))
    if has_cjk(normal):
        squashed = squash(normal)
        keys.update(squashed[i:] for i in range(len(squashed)))
    keys.discard("")
    return keys


def trigrams(squashed: str) -> set[str]:
    """Character trigrams of a squashed form, padded so that short names and name starts have some.

    >>> sorted(trigrams("jilin"))
    ['  j', ' ji', 'ili', 'in ', 'jil', 'lin']
    """
    padded = f"  {squashed} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}
