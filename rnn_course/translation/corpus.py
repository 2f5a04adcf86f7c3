"""The corpus of notebook 04: random sentence pairs from :mod:`.grammar`, and its splits.

    pairs = generate_pairs(1000, seed=0)          # [Pair(en, fr, features), ...], the same every run
    splits = make_splits(20_000, 1_000, 1_000)    # "train", "valid", "test", "compositional", "structural"
    varied = make_splits(20_000, 1_000, 1_000, **VARIED)  # the same "structural" test, more varied training

:mod:`.grammar` renders one described sentence; this module only chooses descriptions at random
and deals the pairs into splits: "compositional" holds out adjective–noun pairs
(:data:`.grammar.HELD_OUT`), "structural" whole sentence skeletons (:func:`structural_holdout`).
"""

from __future__ import annotations

import random
import zlib

from .grammar import (ADJECTIVES, ANIMATE, HELD_OUT, IDIOMS, NOUNS, PREPOSITIONS, PRONOUNS, VERBS, NounPhrase, Pair,
                      describes, is_template, join_clauses, sentence)

__all__ = ["VARIED", "MAX_FR_TOKENS", "STRUCTURAL_SHARE", "structural_holdout", "generate_pairs", "make_splits"]


STRUCTURAL_SHARE = 0.3  # of the skeletons beyond the templates, the share held out of training


def structural_holdout(features: dict, seed: int = 0, share: float = STRUCTURAL_SHARE) -> bool:
    """Is this sentence's skeleton held out of training by ``make_splits(seed=seed)``?

    A fixed share of the skeletons that are not templates, chosen by a hash of (seed, skeleton):
    the same skeletons for every corpus made with that seed, so a model trained on more varied
    structures is tested on exactly the same held-out ones.
    """
    return not is_template(features) and zlib.crc32(f"{seed}:{features['structure']}".encode()) % 1000 < 1000 * share


_FRAMES = ["be"] * 5 + ["idiom"] * 2 + [v for v in VERBS if v != "be"]
MAX_FR_TOKENS = 28  # the decoders write at most 30 tokens: longer generated sentences are drawn again
VARIED = dict(p_compound=0.25, p_three=0.3, p_second_predicate=0.25, p_second_prep=0.3, p_second_clause=0.3)


def _random_clause(rng: random.Random, o: dict, todo: list) -> Pair | None:
    """One random one-clause description, rendered; None if ``todo[0]`` (an adjective, noun) was not used."""

    def pick_np(kinds, determiners="the a some", describe=True):
        nouns = [n for n in NOUNS if NOUNS[n].kind in kinds]
        if todo[0] and todo[0][1] in nouns:
            (adj, noun), todo[0] = todo[0], None
        else:
            noun = rng.choice(nouns)
            fits = [a for a in ADJECTIVES if describes(a, noun) and (a, noun) not in o["exclude"]]
            adj = rng.choice(fits) if describe and rng.random() < o["p_adjective"] else None
        det = rng.choice(determiners.split())
        plural = det == "some" or (det == "the" and rng.random() < 0.4)
        return NounPhrase(noun, adj, plural, definite=det == "the")

    def chance(name):  # no random number is drawn for an option that is off
        return o[name] > 0 and rng.random() < o[name]

    def predicate_adjectives(nouns):
        kinds = {NOUNS[n].kind for n in nouns} or {"person"}
        return [a for a, spec in ADJECTIVES.items() if kinds <= spec.fits
                and all(describes(a, n) and (a, n) not in o["exclude"] for n in nouns)]

    def objects_for(verb):
        return pick_np(VERBS[verb].objects, {"like": "the the some", "go to": "the the a"}.get(verb, "the a some"))

    frame = rng.choice(_FRAMES)
    verb = "be" if frame == "idiom" else frame
    subj_kinds = ANIMATE if frame == "idiom" else VERBS[verb].subjects
    if rng.random() < 0.4 and "person" in subj_kinds and not (todo[0] and NOUNS[todo[0][1]].kind in subj_kinds):
        subject = rng.choice(list(PRONOUNS))
        subj_nouns, gender = [], ("m" if o["pronoun_gender"] == "masculine" else rng.choice("mf"))
    else:
        subject = (pick_np(subj_kinds, "the the the a", describe=frame != "be"),)  # no "the big car is small"
        if rng.random() < o["p_compound"]:  # "the cat and the dog": nouns of one kind
            for _ in range(1 + chance("p_three")):  # "the cat and the dog and the bird"
                more = pick_np({NOUNS[subject[0].noun].kind}, "the the the a", describe=frame != "be")
                subject += (more,) if more.noun not in {np.noun for np in subject} else ()
        subj_nouns, gender = [np.noun for np in subject], "m"
    if frame == "idiom":
        obj = rng.choice(list(IDIOMS))
    elif frame == "be":
        obj = rng.choice(predicate_adjectives(subj_nouns))
    else:
        obj = objects_for(verb)
    negated = rng.random() < o["p_negation"]
    also = None
    if chance("p_second_predicate"):
        kinds = {NOUNS[n].kind for n in subj_nouns} or {"person"}
        if frame == "idiom":
            also = ("be", rng.choice([i for i in IDIOMS if i != obj]))
        elif frame == "be":
            others = [a for a in predicate_adjectives(subj_nouns) if a != obj]
            also = ("be", rng.choice(others)) if others else None
        else:
            verbs = [v for v in VERBS if v not in ("be", verb) and kinds <= VERBS[v].subjects]
            verb2 = rng.choice(verbs)
            also = (verb2, objects_for(verb2))
        if negated and frame in ("be", "idiom"):
            also = None  # "is not happy and tired" is ambiguous
    preps = []
    if rng.random() < o["p_prep"] or todo[0]:
        word = rng.choice(list(PREPOSITIONS))
        preps.append((word, pick_np(PREPOSITIONS[word][1])))
        if chance("p_second_prep"):  # "in the garden with the dog"
            word = rng.choice([w for w in PREPOSITIONS if w != word])
            preps.append((word, pick_np(PREPOSITIONS[word][1])))
    if todo[0]:
        return None
    return sentence(subject, verb, obj, negated=negated, prep=preps or None, gender=gender, also=also)


def _random_sentence(rng: random.Random, o: dict, force=None) -> Pair | None:
    """One random sentence (one clause, or two joined by "and"); ``force=(adjective, noun)`` must be
    used, else None; None too if its French is longer than MAX_FR_TOKENS tokens."""
    todo = [force]
    pair = _random_clause(rng, o, todo)
    if pair is None:
        return None
    if o["p_second_clause"] > 0 and rng.random() < o["p_second_clause"]:
        pair = join_clauses(pair, _random_clause(rng, o, [None]))
    if len(pair.fr.split()) + pair.fr.count("'") > MAX_FR_TOKENS:  # tokens: l'arbre is two
        return None
    if force:
        pair.features["held_out"] = list(force)
    return pair


def _options(p_adjective=0.4, p_negation=0.25, p_prep=0.3, p_compound=0.1, pronoun_gender="masculine",
             exclude=(), p_three=0.0, p_second_predicate=0.0, p_second_prep=0.0, p_second_clause=0.0) -> dict:
    probabilities = dict(p_adjective=p_adjective, p_negation=p_negation, p_prep=p_prep, p_compound=p_compound,
                         p_three=p_three, p_second_predicate=p_second_predicate, p_second_prep=p_second_prep,
                         p_second_clause=p_second_clause)
    for name, p in probabilities.items():
        if not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise ValueError(f"{name} is a probability: give a number between 0 and 1, got {p!r}")
    if pronoun_gender not in ("masculine", "random"):
        raise ValueError(f"pronoun_gender must be 'masculine' or 'random', got {pronoun_gender!r}")
    exclude = {tuple(pair) for pair in exclude}
    for adj, noun in exclude:
        if adj not in ADJECTIVES or noun not in NOUNS:
            raise ValueError(f"({adj!r}, {noun!r}) is not an (adjective, noun) pair of the lexicon")
        if not describes(adj, noun):
            raise ValueError(f"{adj!r} never describes {noun!r} here; hold out a pair that occurs, e.g. {HELD_OUT[0]}")
    return dict(probabilities, pronoun_gender=pronoun_gender, exclude=exclude)


def _generate(n: int, rng: random.Random, o: dict, unique: bool, seen: set, force=(), keep=None) -> list[Pair]:
    """``n`` random pairs; ``keep(features)`` (if given) must accept a sentence's features."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a whole number ≥ 0, got {n!r}")
    out, tries = [], 0
    while len(out) < n:
        tries += 1
        if tries > 50 * n + 1000:
            raise ValueError(f"found only {len(out)} distinct sentences of {n}; ask for fewer, or pass unique=False")
        pair = _random_sentence(rng, o, force[len(out) % len(force)] if force else None)
        if pair is None or (unique and pair.en in seen) or (keep is not None and not keep(pair.features)):
            continue
        if force or not any(tuple(p) in o["exclude"] for p in pair.features["adj_noun"]):
            seen.add(pair.en)
            out.append(pair)
    return out


def generate_pairs(n: int, seed: int = 0, *, unique: bool = True, **options) -> list[Pair]:
    """``n`` random pairs, the same for the same seed; distinct English sentences unless ``unique=False``.

    options: p_adjective (0.4, per noun phrase), p_negation (0.25, per clause), p_prep (0.3, an
    ending such as "in the garden"), p_compound (0.1, "the cat and the dog"), pronoun_gender
    ("masculine" or "random"), exclude (adjective–noun pairs never used together); and the
    structure options, all 0 by default (:data:`VARIED` turns them on): p_three (a third subject
    in a compound one), p_second_predicate, p_second_prep (given a first), p_second_clause.
    """
    return _generate(n, random.Random(seed), _options(**options), unique, set())


def make_splits(n_train: int, n_valid: int, n_test: int, seed: int = 0, held_out=HELD_OUT,
                n_compositional: int | None = None, n_structural: int | None = None,
                **options) -> dict[str, list[Pair]]:
    """Train / valid / test (random, disjoint), "compositional" and "structural" test sets.

    "compositional": train, valid and test never put a ``held_out`` adjective with its noun
    (neither "the black cat" nor "the cat is black"), though each word appears with others;
    every "compositional" sentence uses one held-out pair (``features["held_out"]``).

    "structural": sentences whose skeleton (:func:`structure`) never occurs in train, valid, test
    or compositional — the skeletons :func:`structural_holdout` picks for this seed. They are drawn
    with the :data:`VARIED` structure options whatever ``options`` say, so the structural set is
    the same for a template corpus (the default) and a varied one (``make_splits(..., **VARIED)``);
    its words and adjective–noun pairs are all seen in training.

    No English sentence is in two splits. ``n_compositional`` and ``n_structural`` default to ``n_test``.
    """
    held_out = [tuple(p) for p in held_out]
    o = _options(**options, exclude=held_out)
    seen: set = set()

    def trained(features):
        return not structural_holdout(features, seed)

    pool = _generate(n_train + n_valid + n_test, random.Random(seed), o, True, seen, keep=trained)
    random.Random(f"{seed}:shuffle").shuffle(pool)  # dedup favours short sentences early: mix them
    n_comp = n_test if n_compositional is None else n_compositional
    comp = (_generate(n_comp, random.Random(f"{seed}:compositional"), o, True, seen, force=held_out, keep=trained)
            if held_out else [])
    n_struct = n_test if n_structural is None else n_structural
    varied = _options(**{**options, **VARIED}, exclude=held_out)
    struct = _generate(n_struct, random.Random(f"{seed}:structural"), varied, True, seen,
                       keep=lambda features: not trained(features))
    return {"train": pool[:n_train], "valid": pool[n_train:n_train + n_valid],
            "test": pool[n_train + n_valid:], "compositional": comp, "structural": struct}
