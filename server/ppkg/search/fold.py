"""How text is made comparable for search: one form for the index and for what people type.

`fold(text)` is what every indexed text and every query goes through:

- letters that Unicode does not decompose are mapped by hand: dotless ı and dotted İ → i,
  schwa ə/Ə → a (Azerbaijani names are written "Məmmədov" and "Mammadov"), ø → o, đ/ð → d,
  ł → l, æ → ae, œ → oe, þ → th;
- everything else is decomposed (NFKD) and stripped of combining marks, so ş → s, ç → c, ğ → g,
  ö → o, ü → u, é → e;
- then case-folded (ß → ss).

So "Gahramanlı", "GAHRAMANLI" and "gahramanli" are one word, and "Rüstəmzadə" is "rustamzada".

`skeleton(text)` goes further, for names only: English transliterations of Azerbaijani names
differ in ways folding cannot undo (Rüstəmzadə / Rustamzade, Muxtarlı / Mukhtarli,
Quliyev / Guliyev, Cəfərov / Jafarov, Şahin / Shahin, Ağayev / Aghayev, Çingiz / Chingiz). On the
folded text it writes kh → x, ch → c, sh → s, gh → g, zh → j, then j → c, q → g and e → a, so each
pair above has one skeleton. It is too coarse for running text ("men" would find "man"), so only
names carry one; a match on the folded form ranks above a match on the skeleton alone.
"""

from __future__ import annotations

import re
import unicodedata

# Letters with no Unicode decomposition to a base letter, mapped before NFKD.
_SPECIAL = str.maketrans({
    "ı": "i", "İ": "i", "ə": "a", "Ə": "a", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d",
    "Ð": "d", "ł": "l", "Ł": "l", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th",
    "Þ": "th",
})

# Order matters: digraphs first, so "kh" becomes "x" before "h" could be read on its own.
_DIGRAPHS = (("kh", "x"), ("ch", "c"), ("sh", "s"), ("gh", "g"), ("zh", "j"))
_LETTERS = str.maketrans({"j": "c", "q": "g", "e": "a"})

WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """The comparable form of any text (see the module docstring)."""
    if text.isascii():  # most texts: nothing to decompose (and ASCII case-folds as it lowers)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def skeleton(text: str) -> str:
    """The transliteration-blind form of a name (see the module docstring)."""
    out = fold(text)
    for digraph, letter in _DIGRAPHS:
        out = out.replace(digraph, letter)
    return out.translate(_LETTERS)


def words(text: str) -> list[str]:
    """The words of a folded text, as the index tokenizes them (letters and digits)."""
    return WORD.findall(text)
