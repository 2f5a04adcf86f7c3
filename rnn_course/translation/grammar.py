"""English → French sentence pairs for notebook 04: a generated corpus that needs real grammar.

    sentence(NounPhrase("cat", "black"), "be", "happy")  # Pair(en='the black cat is happy .',
                                                         #      fr='le chat noir est heureux .', features)
    tokenize("je n'aime pas l'arbre .", "fr")     # ['je', "n'", 'aime', 'pas', "l'", 'arbre', '.']

No parallel corpus can be downloaded in class, so the course writes its own; but the French is
correct French, so a model must learn what a translator learns, not a word-for-word cipher:

- agreement: "the small houses" → "les petites maisons", "the cats are happy" → "les chats sont heureux";
- reordering: most adjectives follow the noun ("the black cat" → "le chat noir"), a few precede it
  ("the small cat" → "le petit chat"); beau/vieux/nouveau become bel/vieil/nouvel before a vowel;
- elision and contraction: "l'arbre", "j'aime", "n'aime"; à + le = au, à + les = aux, de + le = du;
- conjugation: je mange, nous mangeons, ils vont, vous faites;
- negation and its article: "he does not have a cat" → "il n'a pas de chat";
- idioms: "I am hungry" → "j'ai faim"; "she likes cats" → "elle aime les chats";
- meaning: "a big man" is "un homme grand" (tall), not "un grand homme" (a great man); "old" never
  describes a boy, girl or baby ("un vieux garçon" is a bachelor, "une vieille fille" a spinster).

By default every sentence is one clause with at most two subjects and one prepositional phrase:
a few templates. The structure options (:data:`VARIED`) add three coordinated subjects, a second
predicate ("likes the cat and watches the dog"), a second prepositional phrase and a second
clause ("the dog is hungry and the cat is thirsty"). ``features["structure"]`` names a sentence's
skeleton; the "structural" split of :func:`make_splits` holds whole skeletons out of training.

Grammar is kept apart from chance: :func:`sentence` renders one described sentence, and the
random generator only chooses descriptions. Output is lower-case with a spaced final " .".
English "you" is always "tu" and "you all" is "vous"; "they" and pronouns with an adjective take
the masculine (French's default for an unknown group) unless ``pronoun_gender="random"``, which
makes the English genuinely ambiguous (exact match can no longer reach 100 %).

The random generator and the splits are in :mod:`.corpus`; tokens, vocabularies and tensors in
:mod:`.data`; the word-by-word baseline in :mod:`.baselines`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Pair", "NounPhrase", "NOUNS", "ADJECTIVES", "NOT_SAID", "AFTER_THE_NOUN", "VERBS", "IDIOMS",
           "PREPOSITIONS", "PRONOUNS", "HELD_OUT", "conjugate", "sentence", "join_clauses",
           "describes", "structure", "CONSTRUCTIONS", "constructions", "is_template", "pos_tags"]



@dataclass(frozen=True)
class Pair:
    """One sentence pair; ``features`` records how a generated pair was built (see :func:`sentence`)."""

    en: str
    fr: str
    features: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------- lexicon
class Noun(NamedTuple):
    en_pl: str
    fr: str
    fr_pl: str
    gender: str  # "m" or "f"
    kind: str  # person, animal, food, dish, place, plant, thing, furniture, clothing


def _nouns(kind: str, rows: str) -> dict[str, Noun]:
    """'cat cats chat chats m; ...' → {"cat": Noun(...)}."""
    entries = (r.split() for r in rows.split(";"))
    return {en: Noun(en_pl, fr, fr_pl, g, kind) for en, en_pl, fr, fr_pl, g in entries}


# Vowel-initial nouns (arbre, école, oiseau, homme, hôtel …) exercise elision and bel/vieil/nouvel.
# Every h-word here has a silent h (l'homme, l'hôtel); aspirated-h words are left out on purpose.
NOUNS: dict[str, Noun] = {
    **_nouns("person", "boy boys garçon garçons m; girl girls fille filles f; man men homme hommes m;"
                       "woman women femme femmes f; baby babies bébé bébés m"),
    **_nouns("animal", "cat cats chat chats m; dog dogs chien chiens m; bird birds oiseau oiseaux m;"
                       "horse horses cheval chevaux m; cow cows vache vaches f; mouse mice souris souris f;"
                       "elephant elephants éléphant éléphants m; duck ducks canard canards m"),
    **_nouns("food", "apple apples pomme pommes f; orange oranges orange oranges f; egg eggs œuf œufs m;"
                     "cheese cheeses fromage fromages m"),
    **_nouns("dish", "cake cakes gâteau gâteaux m; pie pies tarte tartes f; soup soups soupe soupes f;"
                     "pizza pizzas pizza pizzas f"),
    **_nouns("place", "garden gardens jardin jardins m; park parks parc parcs m; school schools école écoles f;"
                      "station stations gare gares f; museum museums musée musées m; hotel hotels hôtel hôtels m;"
                      "market markets marché marchés m; church churches église églises f;"
                      "house houses maison maisons f; shop shops magasin magasins m"),
    **_nouns("plant", "tree trees arbre arbres m; flower flowers fleur fleurs f"),
    **_nouns("thing", "book books livre livres m; car cars voiture voitures f; ball balls ballon ballons m;"
                      "bicycle bicycles vélo vélos m; umbrella umbrellas parapluie parapluies m;"
                      "key keys clé clés f"),
    **_nouns("furniture", "table tables table tables f; chair chairs chaise chaises f; bed beds lit lits m"),
    **_nouns("clothing", "hat hats chapeau chapeaux m; shirt shirts chemise chemises f; dress dresses robe robes f;"
                         "coat coats manteau manteaux m; shoe shoes chaussure chaussures f;"
                         "scarf scarves écharpe écharpes f"),
}
ALL = frozenset(n.kind for n in NOUNS.values())
ANIMATE = frozenset({"person", "animal"})
FOOD = frozenset({"food", "dish"})
OBJECTS = frozenset({"thing", "furniture", "clothing"})
CONCRETE = ALL - {"person"}


class Adjective(NamedTuple):
    forms: tuple[str, str, str, str]  # masculine, feminine, masculine plural, feminine plural
    position: str  # "pre" (before the noun) or "post"
    fits: frozenset  # noun kinds it may describe
    before_vowel: str | None = None  # bel, vieil, nouvel: masculine singular before a vowel


def _adj(forms: str, position: str, fits, before_vowel=None) -> Adjective:
    return Adjective(tuple(forms.split()), position, frozenset(fits), before_vowel)


ADJECTIVES: dict[str, Adjective] = {
    "small": _adj("petit petite petits petites", "pre", ALL),
    "big": _adj("grand grande grands grandes", "pre", ALL),
    "beautiful": _adj("beau belle beaux belles", "pre", ALL, "bel"),
    "pretty": _adj("joli jolie jolis jolies", "pre", ALL),
    "young": _adj("jeune jeune jeunes jeunes", "pre", ANIMATE | {"plant"}),
    "old": _adj("vieux vieille vieux vieilles", "pre", ALL, "vieil"),
    "good": _adj("bon bonne bons bonnes", "pre", ALL),
    "new": _adj("nouveau nouvelle nouveaux nouvelles", "pre", OBJECTS | {"place"}, "nouvel"),
    "red": _adj("rouge rouge rouges rouges", "post", CONCRETE),
    "black": _adj("noir noire noirs noires", "post", CONCRETE),
    "white": _adj("blanc blanche blancs blanches", "post", CONCRETE),
    "green": _adj("vert verte verts vertes", "post", CONCRETE - {"animal"}),
    "blue": _adj("bleu bleue bleus bleues", "post", CONCRETE - {"animal"}),
    "happy": _adj("heureux heureuse heureux heureuses", "post", ANIMATE),
    "sad": _adj("triste triste tristes tristes", "post", ANIMATE),
    "tired": _adj("fatigué fatiguée fatigués fatiguées", "post", ANIMATE),
    "intelligent": _adj("intelligent intelligente intelligents intelligentes", "post", ANIMATE),
}
# Adjective–noun pairs whose French would not mean the English. In French a few adjectives change
# meaning with their place or their noun, so "old" and "big" before a person need care:
NOT_SAID = {  # never generated, and refused by sentence(): no short French says it with this meaning
    ("old", "boy"): "'un vieux garçon' means an old bachelor, not an old boy",
    ("old", "girl"): "'une vieille fille' means a spinster, not an old girl",
    ("old", "baby"): "a baby is not old",
}
AFTER_THE_NOUN = {  # said with the adjective after the noun, where it keeps the English meaning
    ("big", "man"): "'un grand homme' is a great man; 'un homme grand' is a tall, big one",
    ("big", "woman"): "'une grande femme' can be a great woman; 'une femme grande' is a tall, big one",
}


def describes(adjective: str, noun: str) -> bool:
    """May the generator put ``adjective`` with ``noun`` (attributively or as "the noun is adjective")?"""
    return NOUNS[noun].kind in ADJECTIVES[adjective].fits and (adjective, noun) not in NOT_SAID


IDIOMS = {"hungry": "faim", "thirsty": "soif", "cold": "froid", "hot": "chaud", "scared": "peur"}  # avoir faim


class Verb(NamedTuple):
    en_3sg: str
    fr: str  # infinitive
    objects: frozenset | None  # noun kinds it takes as object (None: "be" takes an adjective)
    subjects: frozenset
    fr_prep: str | None = None  # aller à …


VERBS: dict[str, Verb] = {
    "be": Verb("is", "être", None, ALL),
    "have": Verb("has", "avoir", FOOD | OBJECTS | {"animal"}, ANIMATE),
    "go to": Verb("goes to", "aller", frozenset({"place"}), ANIMATE, "à"),
    "make": Verb("makes", "faire", frozenset({"dish", "clothing"}), frozenset({"person"})),
    "like": Verb("likes", "aimer", ALL, ANIMATE),
    "watch": Verb("watches", "regarder", ALL, ANIMATE),
    "eat": Verb("eats", "manger", FOOD, ANIMATE),
    "look for": Verb("looks for", "chercher", ALL, ANIMATE),
    "listen to": Verb("listens to", "écouter", ANIMATE, ANIMATE),
    "find": Verb("finds", "trouver", CONCRETE, ANIMATE),
    "wear": Verb("wears", "porter", frozenset({"clothing"}), frozenset({"person"})),
    "draw": Verb("draws", "dessiner", ALL, frozenset({"person"})),
    "visit": Verb("visits", "visiter", frozenset({"place"}), frozenset({"person"})),
    "wash": Verb("washes", "laver", OBJECTS | FOOD | {"animal"}, frozenset({"person"})),
    "share": Verb("shares", "partager", FOOD, frozenset({"person"})),
}
PREPOSITIONS = {  # English: (French, noun kinds)
    "in": ("dans", frozenset({"place"})),
    "with": ("avec", ANIMATE),
    "near": ("près de", frozenset({"place", "plant"})),
    "next to": ("à côté de", frozenset({"place", "plant", "furniture"})),
    "behind": ("derrière", frozenset({"place", "plant", "furniture"})),
    "under": ("sous", frozenset({"plant", "furniture"})),
}
PRONOUNS = {"i": ("je", 0), "you": ("tu", 1), "he": ("il", 2), "she": ("elle", 2), "we": ("nous", 3),
            "you all": ("vous", 4), "they": ("ils", 5)}  # English: (French, person index 0–5)
HELD_OUT = (("black", "cat"), ("small", "house"), ("old", "tree"), ("happy", "girl"), ("red", "car"),
            ("beautiful", "bird"))  # default compositional split: le vieil arbre, le bel oiseau, …

# ----------------------------------------------------------------------------------------- morphology
_IRREGULAR = {"être": "suis es est sommes êtes sont", "avoir": "ai as a avons avez ont",
              "aller": "vais vas va allons allez vont", "faire": "fais fais fait faisons faites font"}
_PERSON = {"je": 0, "tu": 1, "il": 2, "elle": 2, "on": 2, "nous": 3, "vous": 4, "ils": 5, "elles": 5}
_VOWELS = "aeiouyàâäéèêëîïôöûüœh"  # h: the lexicon has only silent-h words


def conjugate(verb: str, subject: str) -> str:
    """Present tense: ``conjugate("manger", "nous") == "mangeons"``; être/avoir/aller/faire and -er verbs."""
    if subject not in _PERSON:
        raise ValueError(f"subject must be a French pronoun ({', '.join(_PERSON)}), got {subject!r}")
    i = _PERSON[subject]
    if verb in _IRREGULAR:
        return _IRREGULAR[verb].split()[i]
    if not verb.endswith("er"):
        raise ValueError(f"only -er verbs and être/avoir/aller/faire are conjugated here, got {verb!r}")
    stem, ending = verb[:-2], ("e", "es", "e", "ons", "ez", "ent")[i]
    if ending.startswith("o") and stem.endswith("g"):
        stem += "e"  # nous mangeons, partageons
    elif ending.startswith("o") and stem.endswith("c"):
        stem = stem[:-1] + "ç"  # nous commençons
    return stem + ending


def _starts_with_vowel(word: str) -> bool:
    return bool(word) and word[0] in _VOWELS


_CONTRACT = {("à", "le"): "au", ("à", "les"): "aux", ("de", "le"): "du", ("de", "les"): "des",
             ("de", "des"): "de", ("de", "de"): "de"}  # près de + des maisons → près de maisons
_ELIDE = {"le": "l'", "la": "l'", "je": "j'", "ne": "n'", "de": "d'", "que": "qu'"}


def _surface(words: list[str]) -> str:
    """Underlying French words → written French: contractions first (not before l'), then elision."""
    out, i = [], 0
    while i < len(words):
        pair = tuple(words[i:i + 2])
        elides = pair[-1] == "le" and i + 2 < len(words) and _starts_with_vowel(words[i + 2])  # à l'arbre
        if pair in _CONTRACT and not elides:
            words = words[:i] + [_CONTRACT[pair]] + words[i + 2:]  # the result may contract/elide again
            continue
        out.append(words[i])
        i += 1
    text = []
    for i, w in enumerate(out):
        if text and text[-1].endswith("'"):
            text[-1] += w
        elif w in _ELIDE and i + 1 < len(out) and _starts_with_vowel(out[i + 1]):
            text.append(_ELIDE[w])
        else:
            text.append(w)
    return " ".join(text)


# ---------------------------------------------------------------------------------- one sentence
@dataclass(frozen=True)
class NounPhrase:
    """``NounPhrase("cat", "black", plural=True)`` is "the black cats" / "les chats noirs"."""

    noun: str  # an English singular, a key of NOUNS
    adjective: str | None = None  # a key of ADJECTIVES
    plural: bool = False
    definite: bool = True  # False: "a cat" / "cats" (un chat / des chats)


def _noun_phrase(np: NounPhrase, role: str, negated: bool = False, generic: bool = False):
    if np.noun not in NOUNS:
        raise ValueError(f"unknown noun {np.noun!r}; nouns: {', '.join(NOUNS)}")
    if np.adjective is not None and np.adjective not in ADJECTIVES:
        raise ValueError(f"unknown adjective {np.adjective!r}; adjectives: {', '.join(ADJECTIVES)}")
    if (np.adjective, np.noun) in NOT_SAID:
        raise ValueError(f"{np.adjective!r} does not go with {np.noun!r} here: {NOT_SAID[np.adjective, np.noun]}")
    n, a = NOUNS[np.noun], ADJECTIVES.get(np.adjective)
    position = a and ("post" if (np.adjective, np.noun) in AFTER_THE_NOUN else a.position)
    noun_en, noun_fr = (n.en_pl, n.fr_pl) if np.plural else (np.noun, n.fr)
    en = ([np.adjective] if a else []) + [noun_en]
    if np.definite:
        en.insert(0, "the")
    elif not np.plural:
        en.insert(0, "an" if en[0][0] in "aeiou" else "a")
    adj_fr = None
    if a:
        adj_fr = a.forms[(n.gender == "f") + 2 * np.plural]
        if a.before_vowel and position == "pre" and n.gender == "m" and not np.plural and _starts_with_vowel(noun_fr):
            adj_fr = a.before_vowel  # le vieil arbre
    if np.definite or generic:  # generic: "she likes cats" → "elle aime les chats"
        det = "les" if np.plural else {"m": "le", "f": "la"}[n.gender]
    elif negated:
        det = "de"  # il n'a pas de chat
    elif np.plural:
        det = "de" if position == "pre" else "des"  # de petits chats
    else:
        det = {"m": "un", "f": "une"}[n.gender]
    pre, post = ([adj_fr], []) if position == "pre" else ([], [adj_fr] if a else [])
    info = {"role": role, "noun": np.noun, "noun_fr": noun_fr, "gender": n.gender, "plural": np.plural,
            "definite": np.definite, "adjective": np.adjective, "adjective_fr": adj_fr,
            "position": position or None}
    return en, [det, *pre, noun_fr, *post], info


def _predicate(verb: str, obj, subj: dict, negated: bool):
    """The verb and what follows it, for a subject described by ``subj`` (i, third_sg, gender, plural).

    → (English words from the verb on, French infinitive, French complement, frame, predicate info or
    None, noun-phrase infos).
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; verbs: {', '.join(VERBS)}")
    v = VERBS[verb]
    if verb == "be":
        en = ["am" if subj["i"] else "is" if subj["third_sg"] else "are"] + (["not"] if negated else [])
        if obj in IDIOMS:  # "I am hungry" → "j'ai faim"
            frame, infinitive, complement = "idiom", "avoir", [IDIOMS[obj]]
        elif obj in ADJECTIVES:
            frame, infinitive = "be", "être"
            complement = [ADJECTIVES[obj].forms[(subj["gender"] == "f") + 2 * subj["plural"]]]
        else:
            raise ValueError(f"'be' needs an adjective ({', '.join(ADJECTIVES)}) or an idiom "
                             f"({', '.join(IDIOMS)}), got {obj!r}")
        return en + [obj], infinitive, complement, frame, {"adjective": obj, "fr": complement[0]}, []
    if not isinstance(obj, NounPhrase):
        raise ValueError(f"{verb!r} needs an object: a NounPhrase such as NounPhrase('cat'), got {obj!r}")
    third_sg = subj["third_sg"]
    en = (["does" if third_sg else "do", "not", *verb.split()] if negated
          else (v.en_3sg if third_sg else verb).split())
    generic = verb == "like" and obj.plural and not obj.definite
    direct = negated and not v.fr_prep  # "pas de" replaces un/des on a direct object only
    o_en, o_fr, info = _noun_phrase(obj, "object", negated=direct, generic=generic)
    return en + o_en, v.fr, ([v.fr_prep] if v.fr_prep else []) + o_fr, verb, None, [info]


def sentence(subject, verb: str, obj=None, *, negated: bool = False, prep=None, gender: str = "m",
             also=None) -> Pair:
    """Render one described sentence (one clause) in both languages.

    subject: an English pronoun (a key of PRONOUNS), a NounPhrase, or a tuple of NounPhrases
    ("X and Y", "X and Y and Z"); verb: a key of VERBS; obj: a NounPhrase, or for "be" an
    adjective or an idiom ("hungry"); prep: ``(preposition, NounPhrase)`` added at the end, or a
    list of them; gender: "m"/"f" for je, tu, nous, vous, they; also: a second predicate for the
    same subject, ``(verb, obj)``: "likes the cat and watches the dog" (``negated`` applies to the
    first only), or with "be" a second adjective or idiom: "is happy and tired", "is hungry and thirsty".

    ``features`` records: frame, verb (French infinitive), person (0–5), subject, subjects (how
    many), subject_gender, subject_plural, negated, phrases (one dict per noun phrase: role, noun,
    gender, plural, adjective, its French form and position), predicate, predicates (1 or 2),
    verb2, adj_noun ([adjective, noun] pairs used together, attributive or "the cat is black"),
    prep (the first), preps, length (English words, without "."), structure (see :func:`structure`).
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; verbs: {', '.join(VERBS)}")
    if gender not in ("m", "f"):
        raise ValueError(f"gender must be 'm' or 'f', got {gender!r}")
    phrases = []
    if isinstance(subject, str):
        if subject not in PRONOUNS:
            raise ValueError(f"unknown pronoun {subject!r}; pronouns: {', '.join(PRONOUNS)}")
        fr_subj, person = PRONOUNS[subject]
        s_gender = {"he": "m", "she": "f"}.get(subject, gender)
        fr_subj = "elles" if subject == "they" and s_gender == "f" else fr_subj
        en, fr, s_plural, kind, n_subjects = subject.split(), [fr_subj], person >= 3, "pronoun", 1
    else:
        nps = (subject,) if isinstance(subject, NounPhrase) else tuple(subject)
        en, fr = [], []
        for k, np in enumerate(nps):
            np_en, np_fr, info = _noun_phrase(np, "subject")
            en, fr = en + (["and"] if k else []) + np_en, fr + (["et"] if k else []) + np_fr
            phrases.append(info)
        s_plural = len(nps) > 1 or nps[0].plural
        s_gender = "f" if all(p["gender"] == "f" for p in phrases) else "m"  # la fille et le chien → m
        person, kind, n_subjects = (5 if s_plural else 2), ("compound" if len(nps) > 1 else "noun"), len(nps)
        fr_subj = "ils" if s_plural else "il"  # for the verb's form only
    subj = {"i": subject == "i", "third_sg": person == 2, "gender": s_gender, "plural": s_plural}
    en_p, infinitive, complement, frame, predicate, infos = _predicate(verb, obj, subj, negated)
    form = conjugate(infinitive, fr_subj)
    en, fr, phrases = en + en_p, fr + (["ne", form, "pas"] if negated else [form]) + complement, phrases + infos
    verb2 = None
    if also is not None:
        if not (isinstance(also, tuple) and len(also) == 2):
            raise ValueError(f"also is a second predicate (verb, object), e.g. ('watch', NounPhrase('dog')), got {also!r}")
        if (verb == "be") != (also[0] == "be"):
            raise ValueError("join two predicates of one kind: two verbs with objects, or 'be' with two adjectives")
        en2, verb2, complement2, frame2, predicate2, infos2 = _predicate(also[0], also[1], subj, False)
        if verb == "be":
            if frame2 != frame:
                raise ValueError("'be' joins two adjectives ('happy and tired') or two idioms ('hungry and thirsty'), "
                                 f"not {obj!r} and {also[1]!r}")
            if negated:
                raise ValueError("'is not happy and tired' is ambiguous: negate a 'be' with one predicate only")
            en, fr = en + ["and", also[1]], fr + ["et", *complement2]  # est heureux et fatigué, a faim et soif
            predicate = {**predicate, "also": predicate2}
        else:
            en, fr = en + ["and", *en2], fr + ["et", conjugate(verb2, fr_subj), *complement2]
            phrases += infos2
    preps = [] if prep is None else [prep] if isinstance(prep, tuple) and prep and isinstance(prep[0], str) else list(prep)
    for item in preps:
        if not (isinstance(item, tuple) and len(item) == 2):
            raise ValueError(f"prep is (preposition, NounPhrase) or a list of them, got {item!r}")
        word, np = item
        if word not in PREPOSITIONS:
            raise ValueError(f"unknown preposition {word!r}; prepositions: {', '.join(PREPOSITIONS)}")
        p_en, p_fr, info = _noun_phrase(np, "prep")
        en, fr = en + word.split() + p_en, fr + PREPOSITIONS[word][0].split() + p_fr
        phrases.append(info)
    pairs = [[p["adjective"], p["noun"]] for p in phrases if p["adjective"]]
    if frame == "be":
        for adjective in [obj] + ([also[1]] if also else []):
            pairs += [[adjective, p["noun"]] for p in phrases if p["role"] == "subject"]
    features = {"frame": frame, "verb": infinitive, "person": person, "subject": kind, "subjects": n_subjects,
                "subject_gender": s_gender, "subject_plural": s_plural, "negated": negated,
                "phrases": phrases, "predicate": predicate, "predicates": 1 + (also is not None), "verb2": verb2,
                "adj_noun": pairs, "prep": preps[0][0] if preps else None, "preps": [w for w, _ in preps],
                "length": len(en)}
    features["structure"] = structure(features)
    return Pair(" ".join(en) + " .", _surface(fr) + " .", features)


def join_clauses(first: Pair, second: Pair) -> Pair:
    """Two one-clause sentences joined by "and" / "et": "the dog is hungry and the cat is thirsty ."

    ``features`` holds both clauses' features (``clauses``), their adj_noun pairs, length and structure.
    """
    for p in (first, second):
        if "clauses" in p.features or not (p.en.endswith(" .") and p.fr.endswith(" .")):
            raise ValueError(f"join two one-clause sentences made by sentence(), got {p.en!r}")
    a, b = first.features, second.features
    features = {"clauses": [a, b], "adj_noun": a["adj_noun"] + b["adj_noun"],
                "negated": a["negated"] or b["negated"], "length": a["length"] + 1 + b["length"]}
    features["structure"] = structure(features)
    return Pair(f"{first.en[:-2]} and {second.en}", f"{first.fr[:-2]} et {second.fr}", features)


# ------------------------------------------------------------------------------------- structure
def structure(features: dict) -> str:
    """A sentence's skeleton from its features: who the subject is, the kind of predicate, how many
    predicates and prepositional phrases, clause by clause — "2 nouns be", "pronoun verb×2 +1 prep",
    "1 noun be and 3 nouns verb +2 prep". Words, adjectives, articles and negation do not count, and
    an idiom ("is hungry") has the shape of "is happy".
    """
    if "clauses" in features:
        return " and ".join(structure(c) for c in features["clauses"])
    n = features["subjects"]
    subject = "pronoun" if features["subject"] == "pronoun" else f"{n} noun{'s' if n > 1 else ''}"
    frame = "be" if features["frame"] in ("be", "idiom") else "verb"  # "is hungry" has the shape of "is happy"
    preps = len(features["preps"])
    return f"{subject} {frame}{'×2' if features['predicates'] == 2 else ''}{f' +{preps} prep' if preps else ''}"


CONSTRUCTIONS = ("three subjects", "two predicates", "two prepositions", "two clauses")


def constructions(features: dict) -> list[str]:
    """Which of :data:`CONSTRUCTIONS` a sentence uses (none for a template), e.g. ["two predicates"]."""
    clauses = features.get("clauses", [features])
    used = {"three subjects": any(c["subjects"] >= 3 for c in clauses),
            "two predicates": any(c["predicates"] >= 2 for c in clauses),
            "two prepositions": any(len(c["preps"]) >= 2 for c in clauses), "two clauses": len(clauses) > 1}
    return [name for name in CONSTRUCTIONS if used[name]]


def is_template(features: dict) -> bool:
    """True for the default generator's skeletons: one clause, at most two subjects, one predicate,
    at most one prepositional phrase (no :func:`constructions`)."""
    return not constructions(features)


_TAGS: dict[str, str] = {}


def pos_tags(english: str) -> list[str]:
    """Part-of-speech tags of a corpus sentence, from the lexicon: DET ADJ NOUN PRON BE AUX NEG VERB
    PART PREP CONJ PUNCT ("the black cat is happy ." → DET ADJ NOUN BE ADJ PUNCT); X for a word the
    lexicon lacks."""
    if not _TAGS:
        _TAGS.update({w: "DET" for w in ("the", "a", "an")} | {"and": "CONJ", ".": "PUNCT", "not": "NEG",
                      "do": "AUX", "does": "AUX", "am": "BE", "is": "BE", "are": "BE", "to": "PART", "for": "PART"})
        _TAGS.update({w: "PRON" for p in PRONOUNS for w in p.split()})
        _TAGS.update({w: "NOUN" for en, n in NOUNS.items() for w in (en, n.en_pl)})
        _TAGS.update({w: "ADJ" for w in [*ADJECTIVES, *IDIOMS]})
        _TAGS.update({w.split()[0]: "VERB" for en, v in VERBS.items() if en != "be" for w in (en, v.en_3sg)})
        _TAGS.update({w.split()[0]: "PREP" for w in PREPOSITIONS})
    return [_TAGS.get(w, "X") for w in english.split()]
