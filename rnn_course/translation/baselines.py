"""The baseline a practitioner tries first for notebook 04: word-by-word lookup in the lexicon."""

from __future__ import annotations

from .data import tokenize
from .grammar import ADJECTIVES, IDIOMS, NOUNS, PREPOSITIONS, PRONOUNS, VERBS, conjugate

__all__ = ["lexicon_dictionary", "word_by_word"]


def lexicon_dictionary() -> dict[str, str]:
    """The naive English → French word map of :func:`word_by_word`, built from the lexicon.

    One French form per English word: nouns by number, adjectives masculine singular, "the" → "le",
    "a" → "un", a verb's -s form → the il form and its bare form → the ils form (bare forms come
    mostly with plural subjects); words that French does not need ("do", "does", "all", "for") map to "".
    """
    d = {"the": "le", "a": "un", "an": "un", "and": "et", "not": "pas", "do": "", "does": "", "all": "",
         "am": "suis", "is": "est", "are": "sont", "to": "à", "for": "", ".": "."}
    d |= {en: fr for en, (fr, _) in PRONOUNS.items() if en != "you all"}  # "you all" → "tu" + ""
    for en, n in NOUNS.items():
        d |= {en: n.fr, n.en_pl: n.fr_pl}
    d |= {en: a.forms[0] for en, a in ADJECTIVES.items()} | IDIOMS
    for en, v in VERBS.items():
        if en != "be":
            d |= {v.en_3sg.split()[0]: conjugate(v.fr, "il"), en.split()[0]: conjugate(v.fr, "ils")}
    d |= {en.split()[0]: fr for en, (fr, _) in PREPOSITIONS.items()}  # "next to" → "à côté de" + "à"
    return d


def word_by_word(en_sentence: str, dictionary: dict[str, str] | None = None) -> str:
    """Translate word by word: each English token through ``dictionary`` (default :func:`lexicon_dictionary`).

    No reordering, agreement, elision or contraction ("the black cat" → "le noir chat"); an
    unknown word is copied unchanged. The baseline any model must beat.
    """
    d = lexicon_dictionary() if dictionary is None else dictionary
    return " ".join(w for w in (d.get(t, t) for t in tokenize(en_sentence, "en")) if w)
