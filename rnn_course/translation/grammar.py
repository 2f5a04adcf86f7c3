"""English → French sentence pairs for notebook 04: a generated corpus that needs real grammar.

    pairs = generate_pairs(1000, seed=0)          # [Pair(en, fr, features), ...], the same every run
    splits = make_splits(20_000, 1_000, 1_000)    # "train", "valid", "test", "compositional"
    tokenize("je n'aime pas l'arbre .", "fr")     # ['je', "n'", 'aime', 'pas', "l'", 'arbre', '.']

No parallel corpus can be downloaded in class, so the course writes its own; but the French is
correct French, so a model must learn what a translator learns, not a word-for-word cipher:

- agreement: "the small houses" → "les petites maisons", "the cats are happy" → "les chats sont heureux";
- reordering: most adjectives follow the noun ("the black cat" → "le chat noir"), a few precede it
  ("the small cat" → "le petit chat"); beau/vieux/nouveau become bel/vieil/nouvel before a vowel;
- elision and contraction: "l'arbre", "j'aime", "n'aime"; à + le = au, à + les = aux, de + le = du;
- conjugation: je mange, nous mangeons, ils vont, vous faites;
- negation and its article: "he does not have a cat" → "il n'a pas de chat";
- idioms: "I am hungry" → "j'ai faim"; "she likes cats" → "elle aime les chats".

Grammar is kept apart from chance: :func:`sentence` renders one described sentence, and the
random generator only chooses descriptions. Output is lower-case with a spaced final " .".
English "you" is always "tu" and "you all" is "vous"; "they" and pronouns with an adjective take
the masculine (French's default for an unknown group) unless ``pronoun_gender="random"``, which
makes the English genuinely ambiguous (exact match can no longer reach 100 %).

Tokens, vocabularies and tensors are in :mod:`.data`; the word-by-word baseline in :mod:`.baselines`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = ["Pair", "NounPhrase", "NOUNS", "ADJECTIVES",
           "VERBS", "IDIOMS", "PREPOSITIONS", "PRONOUNS", "HELD_OUT", "conjugate", "sentence", "generate_pairs",
           "make_splits"]



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
    n, a = NOUNS[np.noun], ADJECTIVES.get(np.adjective)
    noun_en, noun_fr = (n.en_pl, n.fr_pl) if np.plural else (np.noun, n.fr)
    en = ([np.adjective] if a else []) + [noun_en]
    if np.definite:
        en.insert(0, "the")
    elif not np.plural:
        en.insert(0, "an" if en[0][0] in "aeiou" else "a")
    adj_fr = None
    if a:
        adj_fr = a.forms[(n.gender == "f") + 2 * np.plural]
        if a.before_vowel and a.position == "pre" and n.gender == "m" and not np.plural and _starts_with_vowel(noun_fr):
            adj_fr = a.before_vowel  # le vieil arbre
    if np.definite or generic:  # generic: "she likes cats" → "elle aime les chats"
        det = "les" if np.plural else {"m": "le", "f": "la"}[n.gender]
    elif negated:
        det = "de"  # il n'a pas de chat
    elif np.plural:
        det = "de" if a and a.position == "pre" else "des"  # de petits chats
    else:
        det = {"m": "un", "f": "une"}[n.gender]
    pre, post = ([adj_fr], []) if a and a.position == "pre" else ([], [adj_fr] if a else [])
    info = {"role": role, "noun": np.noun, "noun_fr": noun_fr, "gender": n.gender, "plural": np.plural,
            "definite": np.definite, "adjective": np.adjective, "adjective_fr": adj_fr,
            "position": a.position if a else None}
    return en, [det, *pre, noun_fr, *post], info


def sentence(subject, verb: str, obj=None, *, negated: bool = False, prep=None, gender: str = "m") -> Pair:
    """Render one described sentence in both languages.

    subject: an English pronoun (a key of PRONOUNS), a NounPhrase, or a tuple of NounPhrases ("X and Y");
    verb: a key of VERBS; obj: a NounPhrase, or for "be" an adjective or an idiom ("hungry");
    prep: ``(preposition, NounPhrase)`` added at the end; gender: "m"/"f" for je, tu, nous, vous, they.

    ``features`` records: frame, verb (French infinitive), person (0–5), subject, subject_gender,
    subject_plural, negated, phrases (one dict per noun phrase: role, noun, gender, plural,
    adjective, its French form and position), predicate, adj_noun ([adjective, noun] pairs used
    together, attributive or "the cat is black"), prep, length (English words, without ".").
    """
    if verb not in VERBS:
        raise ValueError(f"unknown verb {verb!r}; verbs: {', '.join(VERBS)}")
    if gender not in ("m", "f"):
        raise ValueError(f"gender must be 'm' or 'f', got {gender!r}")
    v, phrases = VERBS[verb], []
    if isinstance(subject, str):
        if subject not in PRONOUNS:
            raise ValueError(f"unknown pronoun {subject!r}; pronouns: {', '.join(PRONOUNS)}")
        fr_subj, person = PRONOUNS[subject]
        s_gender = {"he": "m", "she": "f"}.get(subject, gender)
        fr_subj = "elles" if subject == "they" and s_gender == "f" else fr_subj
        en, fr, s_plural, kind = subject.split(), [fr_subj], person >= 3, "pronoun"
    else:
        nps = (subject,) if isinstance(subject, NounPhrase) else tuple(subject)
        en, fr = [], []
        for k, np in enumerate(nps):
            np_en, np_fr, info = _noun_phrase(np, "subject")
            en, fr = en + (["and"] if k else []) + np_en, fr + (["et"] if k else []) + np_fr
            phrases.append(info)
        s_plural = len(nps) > 1 or nps[0].plural
        s_gender = "f" if all(p["gender"] == "f" for p in phrases) else "m"  # la fille et le chien → m
        person, kind = (5 if s_plural else 2), ("compound" if len(nps) > 1 else "noun")
    third_sg = person == 2
    predicate, frame = None, verb
    if verb == "be":
        en += ["am" if subject == "i" else "is" if third_sg else "are"] + (["not"] if negated else [])
        if obj in IDIOMS:  # "I am hungry" → "j'ai faim"
            frame, infinitive, complement = "idiom", "avoir", [IDIOMS[obj]]
        elif obj in ADJECTIVES:
            infinitive, frame = "être", "be"
            complement = [ADJECTIVES[obj].forms[(s_gender == "f") + 2 * s_plural]]
        else:
            raise ValueError(f"'be' needs an adjective ({', '.join(ADJECTIVES)}) or an idiom "
                             f"({', '.join(IDIOMS)}), got {obj!r}")
        predicate = {"adjective": obj, "fr": complement[0]}
        en.append(obj)
    else:
        if not isinstance(obj, NounPhrase):
            raise ValueError(f"{verb!r} needs an object: a NounPhrase such as NounPhrase('cat'), got {obj!r}")
        infinitive = v.fr
        en += (["does" if third_sg else "do", "not", *verb.split()] if negated
               else (v.en_3sg if third_sg else verb).split())
        generic = verb == "like" and obj.plural and not obj.definite
        direct = negated and not v.fr_prep  # "pas de" replaces un/des on a direct object only
        o_en, o_fr, info = _noun_phrase(obj, "object", negated=direct, generic=generic)
        en, complement = en + o_en, ([v.fr_prep] if v.fr_prep else []) + o_fr
        phrases.append(info)
    form = conjugate(infinitive, fr_subj if kind == "pronoun" else ("ils" if s_plural else "il"))
    fr += (["ne", form, "pas"] if negated else [form]) + complement
    if prep is not None:
        word, np = prep
        if word not in PREPOSITIONS:
            raise ValueError(f"unknown preposition {word!r}; prepositions: {', '.join(PREPOSITIONS)}")
        p_en, p_fr, info = _noun_phrase(np, "prep")
        en, fr = en + word.split() + p_en, fr + PREPOSITIONS[word][0].split() + p_fr
        phrases.append(info)
    pairs = [[p["adjective"], p["noun"]] for p in phrases if p["adjective"]]
    if frame == "be":
        pairs += [[obj, p["noun"]] for p in phrases if p["role"] == "subject"]
    features = {"frame": frame, "verb": infinitive, "person": person, "subject": kind,
                "subject_gender": s_gender, "subject_plural": s_plural, "negated": negated,
                "phrases": phrases, "predicate": predicate, "adj_noun": pairs,
                "prep": prep[0] if prep else None, "length": len(en)}
    return Pair(" ".join(en) + " .", _surface(fr) + " .", features)


# ------------------------------------------------------------------------------------ the generator
_FRAMES = ["be"] * 5 + ["idiom"] * 2 + [v for v in VERBS if v != "be"]


def _random_sentence(rng: random.Random, o: dict, force=None) -> Pair | None:
    """One random description, rendered; ``force=(adjective, noun)`` must be used, else None."""
    todo = [force]

    def pick_np(kinds, determiners="the a some", describe=True):
        nouns = [n for n in NOUNS if NOUNS[n].kind in kinds]
        if todo[0] and todo[0][1] in nouns:
            (adj, noun), todo[0] = todo[0], None
        else:
            noun = rng.choice(nouns)
            fits = [a for a, spec in ADJECTIVES.items()
                    if NOUNS[noun].kind in spec.fits and (a, noun) not in o["exclude"]]
            adj = rng.choice(fits) if describe and rng.random() < o["p_adjective"] else None
        det = rng.choice(determiners.split())
        plural = det == "some" or (det == "the" and rng.random() < 0.4)
        return NounPhrase(noun, adj, plural, definite=det == "the")

    frame = rng.choice(_FRAMES)
    verb = "be" if frame == "idiom" else frame
    subj_kinds = ANIMATE if frame == "idiom" else VERBS[verb].subjects
    if rng.random() < 0.4 and "person" in subj_kinds and not (todo[0] and NOUNS[todo[0][1]].kind in subj_kinds):
        subject = rng.choice(list(PRONOUNS))
        subj_nouns, gender = [], ("m" if o["pronoun_gender"] == "masculine" else rng.choice("mf"))
    else:
        subject = (pick_np(subj_kinds, "the the the a", describe=frame != "be"),)  # no "the big car is small"
        if rng.random() < o["p_compound"]:  # "the cat and the dog": two nouns of one kind
            second = pick_np({NOUNS[subject[0].noun].kind}, "the the the a", describe=frame != "be")
            subject += (second,) if second.noun != subject[0].noun else ()
        subj_nouns, gender = [np.noun for np in subject], "m"
    if frame == "idiom":
        obj = rng.choice(list(IDIOMS))
    elif frame == "be":
        kinds = {NOUNS[n].kind for n in subj_nouns} or {"person"}
        obj = rng.choice([a for a, spec in ADJECTIVES.items() if kinds <= spec.fits
                          and not any((a, n) in o["exclude"] for n in subj_nouns)])
    else:
        dets = {"like": "the the some", "go to": "the the a"}.get(verb, "the a some")
        obj = pick_np(VERBS[verb].objects, dets)
    prep = None
    if rng.random() < o["p_prep"] or todo[0]:
        word = rng.choice(list(PREPOSITIONS))
        prep = (word, pick_np(PREPOSITIONS[word][1]))
    if todo[0]:
        return None
    pair = sentence(subject, verb, obj, negated=rng.random() < o["p_negation"], prep=prep, gender=gender)
    if force:
        pair.features["held_out"] = list(force)
    return pair


def _options(p_adjective=0.4, p_negation=0.25, p_prep=0.3, p_compound=0.1, pronoun_gender="masculine",
             exclude=()) -> dict:
    for name, p in [("p_adjective", p_adjective), ("p_negation", p_negation), ("p_prep", p_prep),
                    ("p_compound", p_compound)]:
        if not 0 <= p <= 1:
            raise ValueError(f"{name} is a probability: give a number between 0 and 1, got {p!r}")
    if pronoun_gender not in ("masculine", "random"):
        raise ValueError(f"pronoun_gender must be 'masculine' or 'random', got {pronoun_gender!r}")
    exclude = {tuple(pair) for pair in exclude}
    for adj, noun in exclude:
        if adj not in ADJECTIVES or noun not in NOUNS:
            raise ValueError(f"({adj!r}, {noun!r}) is not an (adjective, noun) pair of the lexicon")
        if NOUNS[noun].kind not in ADJECTIVES[adj].fits:
            raise ValueError(f"{adj!r} never describes {noun!r} here; hold out a pair that occurs, e.g. {HELD_OUT[0]}")
    return dict(p_adjective=p_adjective, p_negation=p_negation, p_prep=p_prep, p_compound=p_compound,
                pronoun_gender=pronoun_gender, exclude=exclude)


def _generate(n: int, rng: random.Random, o: dict, unique: bool, seen: set, force=()) -> list[Pair]:
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number ≥ 0, got {n!r}")
    out, tries = [], 0
    while len(out) < n:
        tries += 1
        if tries > 50 * n + 1000:
            raise ValueError(f"found only {len(out)} distinct sentences of {n}; ask for fewer, or pass unique=False")
        pair = _random_sentence(rng, o, force[len(out) % len(force)] if force else None)
        if pair is None or (unique and pair.en in seen):
            continue
        if force or not any(tuple(p) in o["exclude"] for p in pair.features["adj_noun"]):
            seen.add(pair.en)
            out.append(pair)
    return out


def generate_pairs(n: int, seed: int = 0, *, unique: bool = True, **options) -> list[Pair]:
    """``n`` random pairs, the same for the same seed; distinct English sentences unless ``unique=False``.

    options: p_adjective (0.4, per noun phrase), p_negation (0.25), p_prep (0.3, an ending such as
    "in the garden"), p_compound (0.1, "the cat and the dog"), pronoun_gender ("masculine" or
    "random"), exclude (adjective–noun pairs never used together).
    """
    return _generate(n, random.Random(seed), _options(**options), unique, set())


def make_splits(n_train: int, n_valid: int, n_test: int, seed: int = 0, held_out=HELD_OUT,
                n_compositional: int | None = None, **options) -> dict[str, list[Pair]]:
    """Train / valid / test (random, disjoint) and "compositional": held-out adjective–noun pairs.

    Train, valid and test never put a ``held_out`` adjective with its noun (neither "the black cat"
    nor "the cat is black"), though each word appears with others; every "compositional" sentence
    uses one held-out pair (``features["held_out"]``). No English sentence is in two splits.
    ``n_compositional`` defaults to ``n_test``.
    """
    held_out = [tuple(p) for p in held_out]
    o = _options(**options, exclude=held_out)
    seen: set = set()
    pool = _generate(n_train + n_valid + n_test, random.Random(seed), o, True, seen)
    random.Random(f"{seed}:shuffle").shuffle(pool)  # dedup favours short sentences early: mix them
    n_comp = n_test if n_compositional is None else n_compositional
    comp = _generate(n_comp, random.Random(f"{seed}:compositional"), o, True, seen, force=held_out) if held_out else []
    return {"train": pool[:n_train], "valid": pool[n_train:n_train + n_valid],
            "test": pool[n_train + n_valid:], "compositional": comp}
