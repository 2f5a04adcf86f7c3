"""The generated English → French corpus of notebook 04: correct French, deterministic, honest splits."""

import re
from collections import Counter

import pytest

from rnn_course.translation.baselines import lexicon_dictionary, word_by_word
from rnn_course.translation.data import load_tatoeba_tsv, tokenize
from rnn_course.translation.corpus import MAX_FR_TOKENS, VARIED, generate_pairs, make_splits, structural_holdout
from rnn_course.translation.grammar import (ADJECTIVES, HELD_OUT, NOT_SAID, NOUNS, NounPhrase, Pair, conjugate,
                                            constructions, is_template, join_clauses, pos_tags, sentence, structure)
from rnn_course.vocab import SPECIAL_TOKENS

NP = NounPhrase


def watch(np, **kw):
    """'he watches <np> .' — a neutral frame to look at one noun phrase."""
    return sentence("he", "watch", np, **kw)


# ------------------------------------------------------------------------------- agreement and order
@pytest.mark.parametrize("np, fr", [
    (NP("house", "small"), "la petite maison"),
    (NP("house", "small", plural=True), "les petites maisons"),
    (NP("cat", "black"), "le chat noir"),
    (NP("cat", "black", plural=True), "les chats noirs"),
    (NP("car", "black"), "la voiture noire"),
    (NP("car", "white", plural=True), "les voitures blanches"),
    (NP("woman", "old", definite=False), "une vieille femme"),
    (NP("woman", "old", plural=True), "les vieilles femmes"),
    (NP("man", "old"), "le vieil homme"),          # vieux → vieil before a vowel
    (NP("tree", "old", plural=True), "les vieux arbres"),
    (NP("bird", "beautiful", definite=False), "un bel oiseau"),
    (NP("hotel", "new"), "le nouvel hôtel"),
    (NP("school", "old"), "la vieille école"),
    (NP("girl", "happy"), "la fille heureuse"),
    (NP("girl", "happy", plural=True), "les filles heureuses"),
    (NP("cat", "small", plural=True, definite=False), "de petits chats"),   # des → de before an adjective
    (NP("cat", "black", plural=True, definite=False), "des chats noirs"),
    (NP("horse", "big", plural=True), "les grands chevaux"),
    (NP("mouse", plural=True), "les souris"),
    (NP("man", "big"), "l'homme grand"),                 # not "le grand homme", a great man
    (NP("man", "big", definite=False), "un homme grand"),
    (NP("man", "big", plural=True, definite=False), "des hommes grands"),  # not "de grands hommes"
    (NP("woman", "big", plural=True), "les femmes grandes"),
    (NP("boy", "big"), "le grand garçon"),
    (NP("woman", "old"), "la vieille femme"),
])
def test_noun_phrases_agree_and_reorder(np, fr):
    assert watch(np).fr == f"il regarde {fr} ."


@pytest.mark.parametrize("adjective, noun, reason", [("old", "boy", "bachelor"), ("old", "girl", "spinster"),
                                                     ("old", "baby", "not old")])
def test_adjectives_that_would_change_the_meaning_are_refused_and_never_generated(adjective, noun, reason):
    with pytest.raises(ValueError, match=reason):
        watch(NP(noun, adjective))
    with pytest.raises(ValueError, match="never describes"):
        make_splits(10, 1, 1, held_out=[(adjective, noun)])
    assert (adjective, noun) in NOT_SAID


def test_the_generator_says_what_the_english_means(many):
    text = " ".join(p.fr for p in many)
    assert "vieil homme" in text and ("homme grand" in text or "hommes grands" in text)  # still described
    for wrong in ("grand homme", "grands hommes", "grande femme", "grandes femmes", "vieux garçon",
                  "vieille fille", "vieux bébé", "vieux garçons", "vieilles filles", "vieux bébés"):
        assert wrong not in text, wrong
    pairs = {tuple(x) for p in many for x in p.features["adj_noun"]}
    assert not pairs & set(NOT_SAID)
    assert not {("old", "boy"), ("old", "girl")} & pairs  # neither "the old boy" nor "the boy is old"


def test_english_side_keeps_english_order_and_articles():
    assert watch(NP("cat", "black")).en == "he watches the black cat ."
    assert watch(NP("tree", "old", definite=False)).en == "he watches an old tree ."
    assert watch(NP("hotel", definite=False)).en == "he watches a hotel ."
    assert watch(NP("mouse", "small", plural=True, definite=False)).en == "he watches small mice ."


@pytest.mark.parametrize("adjective", list(ADJECTIVES))
def test_adjective_position(adjective):
    tokens = tokenize(watch(NP("book" if "thing" in ADJECTIVES[adjective].fits else "cat", adjective)).fr, "fr")
    i = tokens.index("livre" if "livre" in tokens else "chat")
    expected_before = {"small", "big", "beautiful", "pretty", "young", "old", "good", "new"}
    assert (tokens[i - 1] == ADJECTIVES[adjective].forms[0]) == (adjective in expected_before)
    after = i + 1 < len(tokens) and tokens[i + 1] == ADJECTIVES[adjective].forms[0]
    assert after == (adjective not in expected_before)


@pytest.mark.parametrize("subject, adjective, kw, fr", [
    (NP("girl"), "happy", {}, "la fille est heureuse ."),
    (NP("car", plural=True), "black", {}, "les voitures sont noires ."),
    ((NP("girl"), NP("woman")), "happy", {}, "la fille et la femme sont heureuses ."),
    ((NP("girl"), NP("boy")), "happy", {}, "la fille et le garçon sont heureux ."),
    ("she", "tired", {}, "elle est fatiguée ."),
    ("they", "happy", {}, "ils sont heureux ."),
    ("they", "happy", {"gender": "f"}, "elles sont heureuses ."),
    ("i", "tired", {"negated": True}, "je ne suis pas fatigué ."),
    ("i", "hungry", {}, "j'ai faim ."),                          # an idiom: avoir faim
    ("you all", "cold", {"negated": True}, "vous n'avez pas froid ."),
])
def test_predicates(subject, adjective, kw, fr):
    assert sentence(subject, "be", adjective, **kw).fr == fr


def test_english_predicates_and_negation():
    assert sentence("i", "be", "hungry").en == "i am hungry ."
    assert sentence(NP("cat", plural=True), "be", "black", negated=True).en == "the cats are not black ."
    assert sentence("she", "go to", NP("park"), negated=True).en == "she does not go to the park ."
    assert sentence("you all", "eat", NP("apple"), negated=True).en == "you all do not eat the apple ."


# ----------------------------------------------------------------- elision, negation, contraction
@pytest.mark.parametrize("args, kw, fr", [
    (("i", "like", NP("tree")), {}, "j'aime l'arbre ."),
    (("i", "eat", NP("apple", definite=False)), {}, "je mange une pomme ."),
    (("i", "have", NP("cat", definite=False)), {}, "j'ai un chat ."),
    (("i", "eat", NP("apple")), {"negated": True}, "je ne mange pas la pomme ."),
    (("he", "like", NP("cat")), {"negated": True}, "il n'aime pas le chat ."),
    (("she", "go to", NP("park")), {"negated": True}, "elle ne va pas au parc ."),
    (("i", "have", NP("cat", definite=False)), {"negated": True}, "je n'ai pas de chat ."),     # pas de
    (("he", "have", NP("bird", definite=False)), {"negated": True}, "il n'a pas d'oiseau ."),
    (("we", "eat", NP("apple", plural=True, definite=False)), {"negated": True}, "nous ne mangeons pas de pommes ."),
    (("she", "go to", NP("park", definite=False)), {"negated": True}, "elle ne va pas à un parc ."),  # indirect
    (("she", "like", NP("cat", plural=True, definite=False)), {}, "elle aime les chats ."),       # generic
    (("she", "like", NP("cat", plural=True, definite=False)), {"negated": True}, "elle n'aime pas les chats ."),
    (("i", "listen to", NP("man")), {}, "j'écoute l'homme ."),
])
def test_elision_negation_articles(args, kw, fr):
    assert sentence(*args, **kw).fr == fr


@pytest.mark.parametrize("np, fr", [
    (NP("park"), "au parc"), (NP("park", plural=True), "aux parcs"), (NP("school"), "à l'école"),
    (NP("station"), "à la gare"), (NP("hotel"), "à l'hôtel"), (NP("museum", "new"), "au nouveau musée"),
    (NP("hotel", "new"), "au nouvel hôtel"), (NP("school", plural=True), "aux écoles"),
])
def test_a_plus_article(np, fr):
    assert sentence("he", "go to", np).fr == f"il va {fr} ."


@pytest.mark.parametrize("np, fr", [
    (NP("park"), "près du parc"), (NP("house", plural=True), "près des maisons"), (NP("tree"), "près de l'arbre"),
    (NP("house"), "près de la maison"), (NP("house", definite=False), "près d'une maison"),
    (NP("house", plural=True, definite=False), "près de maisons"), (NP("tree", "old"), "près du vieil arbre"),
])
def test_de_plus_article(np, fr):
    assert sentence("i", "be", "happy", prep=("near", np)).fr == f"je suis heureux {fr} ."


# ------------------------------------------------------------------------------- varied structures
def test_three_subjects_two_predicates_two_prepositions_and_two_clauses():
    three = sentence((NP("cat"), NP("dog"), NP("bird")), "be", "happy")
    assert (three.en, three.fr) == ("the cat and the dog and the bird are happy .",
                                    "le chat et le chien et l'oiseau sont heureux .")
    likes = sentence(NP("girl"), "like", NP("cat"), negated=True, also=("watch", NP("dog")))
    assert (likes.en, likes.fr) == ("the girl does not like the cat and watches the dog .",
                                    "la fille n'aime pas le chat et regarde le chien .")
    we = sentence("we", "eat", NP("apple"), also=("share", NP("cake", definite=False)))
    assert (we.en, we.fr) == ("we eat the apple and share a cake .", "nous mangeons la pomme et partageons un gâteau .")
    assert sentence("she", "be", "happy", also=("be", "tired")).fr == "elle est heureuse et fatiguée ."
    assert sentence("i", "be", "hungry", also=("be", "thirsty")).fr == "j'ai faim et soif ."
    two = sentence(NP("cat"), "eat", NP("cake"), prep=[("in", NP("garden")), ("with", NP("dog"))])
    assert two.fr == "le chat mange le gâteau dans le jardin avec le chien ."
    joined = join_clauses(sentence(NP("dog"), "be", "hungry"), sentence(NP("cat"), "be", "thirsty"))
    assert (joined.en, joined.fr) == ("the dog is hungry and the cat is thirsty .", "le chien a faim et le chat a soif .")
    assert [p.features["structure"] for p in (three, likes, we, two, joined)] == [
        "3 nouns be", "1 noun verb×2", "pronoun verb×2", "1 noun verb +2 prep", "1 noun be and 1 noun be"]
    assert [constructions(p.features) for p in (three, likes, two, joined)] == [
        ["three subjects"], ["two predicates"], ["two prepositions"], ["two clauses"]]
    assert not any(is_template(p.features) for p in (three, likes, two, joined))
    assert is_template(sentence(NP("cat"), "eat", NP("cake"), prep=("in", NP("garden"))).features)
    assert pos_tags(joined.en) == "DET NOUN BE ADJ CONJ DET NOUN BE ADJ PUNCT".split()
    assert pos_tags("you all go to the new park .") == "PRON PRON VERB PART DET ADJ NOUN PUNCT".split()


def test_structures_that_cannot_be_said_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="two adjectives"):
        sentence("she", "be", "happy", also=("be", "hungry"))
    with pytest.raises(ValueError, match="ambiguous"):
        sentence("she", "be", "happy", negated=True, also=("be", "tired"))
    with pytest.raises(ValueError, match="one kind"):
        sentence("she", "like", NP("cat"), also=("be", "tired"))
    with pytest.raises(ValueError, match="second predicate"):
        sentence("she", "like", NP("cat"), also="watch")
    with pytest.raises(ValueError, match="one-clause"):
        join_clauses(join_clauses(watch(NP("cat")), watch(NP("dog"))), watch(NP("cow")))
    with pytest.raises(ValueError, match="prep is"):
        sentence("she", "like", NP("cat"), prep=[("in", NP("park")), "garden"])


def test_other_prepositions():
    in_garden = sentence(NP("cat"), "eat", NP("cake"), prep=("in", NP("garden")))
    assert in_garden.fr == "le chat mange le gâteau dans le jardin ."
    assert sentence("we", "be", "happy", prep=("with", NP("dog"))).fr == "nous sommes heureux avec le chien ."
    assert sentence("i", "be", "cold", prep=("next to", NP("park"))).fr == "j'ai froid à côté du parc ."


# ---------------------------------------------------------------------------------------- conjugation
TABLES = {
    "être": "suis es est sommes êtes sont", "avoir": "ai as a avons avez ont",
    "aller": "vais vas va allons allez vont", "faire": "fais fais fait faisons faites font",
    "aimer": "aime aimes aime aimons aimez aiment", "regarder": "regarde regardes regarde regardons regardez regardent",
    "manger": "mange manges mange mangeons mangez mangent",
    "partager": "partage partages partage partageons partagez partagent",
    "écouter": "écoute écoutes écoute écoutons écoutez écoutent",
    "commencer": "commence commences commence commençons commencez commencent",
}
SUBJECTS = ("je", "tu", "il", "nous", "vous", "ils")


@pytest.mark.parametrize("verb", list(TABLES))
def test_conjugation_tables(verb):
    assert [conjugate(verb, s) for s in SUBJECTS] == TABLES[verb].split()
    assert conjugate(verb, "elle") == conjugate(verb, "il") and conjugate(verb, "elles") == conjugate(verb, "ils")


def test_conjugation_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="French pronoun"):
        conjugate("aimer", "I")
    with pytest.raises(ValueError, match="-er verbs"):
        conjugate("finir", "je")


def test_sentence_errors_say_what_to_do():
    with pytest.raises(ValueError, match="verbs:"):
        sentence("i", "swim", NP("cat"))
    with pytest.raises(ValueError, match="adjective"):
        sentence("i", "be", NP("cat"))
    with pytest.raises(ValueError, match="NounPhrase"):
        sentence("i", "eat", "apple")
    with pytest.raises(ValueError, match="nouns:"):
        watch(NP("unicorn"))


# ------------------------------------------------------------------------------------------ generator
def test_generator_is_deterministic():
    a, b, c = generate_pairs(300, seed=3), generate_pairs(300, seed=3), generate_pairs(300, seed=4)
    assert a == b and a != c
    assert all(isinstance(p, Pair) for p in a)
    assert len({p.en for p in a}) == 300  # distinct sentences
    assert len(generate_pairs(50, seed=0, unique=False)) == 50


def test_generator_options_are_checked():
    with pytest.raises(ValueError, match="probability"):
        generate_pairs(10, p_adjective=2)
    with pytest.raises(ValueError, match="pronoun_gender"):
        generate_pairs(10, pronoun_gender="neutral")
    with pytest.raises(ValueError, match="p_second_clause is a probability"):
        generate_pairs(10, p_second_clause=1.5)
    with pytest.raises(TypeError, match="p_fourth"):
        generate_pairs(10, p_fourth=0.5)


def test_by_default_every_sentence_is_a_template(many):
    assert all(is_template(p.features) for p in many)


# An independent table (not the module's) of adjective forms: masculine, feminine, m. plural, f. plural.
ADJ_FORMS = {
    "small": "petit petite petits petites", "big": "grand grande grands grandes",
    "beautiful": "beau belle beaux belles",
    "pretty": "joli jolie jolis jolies", "young": "jeune jeune jeunes jeunes", "old": "vieux vieille vieux vieilles",
    "good": "bon bonne bons bonnes", "new": "nouveau nouvelle nouveaux nouvelles", "red": "rouge rouge rouges rouges",
    "black": "noir noire noirs noires", "white": "blanc blanche blancs blanches", "green": "vert verte verts vertes",
    "blue": "bleu bleue bleus bleues", "happy": "heureux heureuse heureux heureuses",
    "sad": "triste triste tristes tristes", "tired": "fatigué fatiguée fatigués fatiguées",
    "intelligent": "intelligent intelligente intelligents intelligentes",
}
BEFORE_VOWEL = {"beautiful": "bel", "old": "vieil", "new": "nouvel"}
VOWEL = re.compile(r"^[aeiouyéèêàâîôûœh]")
DETERMINERS = {("m", False): {"le", "l'", "un", "du", "au", "de", "d'"}, ("f", False): {"la", "l'", "une", "de", "d'"},
               ("m", True): {"les", "des", "aux", "de", "d'"}, ("f", True): {"les", "des", "aux", "de", "d'"}}


def expected_adjective(adjective, gender, plural, noun_fr, position):
    form = ADJ_FORMS[adjective].split()[(gender == "f") + 2 * plural]
    if adjective in BEFORE_VOWEL and gender == "m" and not plural and position == "pre" and VOWEL.match(noun_fr):
        return BEFORE_VOWEL[adjective]
    return form


@pytest.fixture(scope="module")
def many():
    return generate_pairs(4000, seed=11)


@pytest.fixture(scope="module")
def varied_many():
    return generate_pairs(3000, seed=12, **VARIED)


def check_clause(f, tokens, start, where):
    """Check one clause's features against the French tokens from position ``start``; → where it ends."""
    subject = {0: "je", 1: "tu", 2: "il", 3: "nous", 4: "vous", 5: "ils"}[f["person"]]
    for verb in filter(None, (f["verb"], f["verb2"])):
        verb_form = TABLES[verb].split()[SUBJECTS.index(subject)] if verb in TABLES else \
            verb[:-2] + ("e", "es", "e", "ons", "ez", "ent")[f["person"]]
        assert verb_form in tokens[max(start, 0):], f"{verb_form!r} missing: {where}"
    for np in f["phrases"]:  # in sentence order: subject(s), object(s), prepositions
        i = start = tokens.index(np["noun_fr"], start + 1)
        assert np["noun_fr"] == (NOUNS[np["noun"]].fr_pl if np["plural"] else NOUNS[np["noun"]].fr)
        first = i
        if np["adjective"]:
            form = expected_adjective(np["adjective"], np["gender"], np["plural"], np["noun_fr"], np["position"])
            assert np["adjective_fr"] == form, where
            assert np["position"] == ("post" if (np["adjective"], np["noun"]) in {("big", "man"), ("big", "woman")}
                                      else ADJECTIVES[np["adjective"]].position), where
            if np["position"] == "pre":
                assert tokens[i - 1] == form, where
                first = i - 1
            else:
                assert tokens[i + 1] == form, where
        assert tokens[first - 1] in DETERMINERS[np["gender"], np["plural"]], f"{np} in {where}"
    if f["frame"] == "be":
        for p in (f["predicate"], f["predicate"].get("also")):
            if p:
                assert p["fr"] == ADJ_FORMS[p["adjective"]].split()[(f["subject_gender"] == "f") + 2 * f["subject_plural"]]
                assert p["fr"] in tokens, where
    return start


def check_pair(pair):
    f, words, tokens = pair.features, pair.fr.split(), tokenize(pair.fr, "fr")
    where = f"{pair.en!r} → {pair.fr!r}"
    for a, b in zip(words, words[1:]):
        assert not (a in {"le", "la", "je", "ne", "de", "que"} and VOWEL.match(b)), f"missing elision: {where}"
        assert (a, b) not in {("de", "le"), ("de", "les"), ("à", "le"), ("à", "les"), ("de", "des")}, where
    clauses = f.get("clauses", [f])
    assert tokens.count("pas") == sum(c["negated"] for c in clauses), where
    if f["negated"]:
        assert {"ne", "n'"} & set(tokens[:tokens.index("pas")]), where
    start = -1
    for clause in clauses:
        start = check_clause(clause, tokens, start, where)
    assert pair.en.endswith(" .") and pair.fr.endswith(" .") and pair.en == pair.en.lower()
    assert len(tokens) <= MAX_FR_TOKENS and "X" not in pos_tags(pair.en), where


def test_every_generated_sentence_passes_grammar_checks(many):
    for pair in many:
        check_pair(pair)


def test_every_varied_sentence_passes_grammar_checks(varied_many):
    for pair in varied_many:
        check_pair(pair)
    structures = [p.features["structure"] for p in varied_many]
    assert {"pronoun be×2", "3 nouns be", "1 noun verb +2 prep"} <= set(structures)
    assert any(" and " in s for s in structures) and sum(not is_template(p.features) for p in varied_many) > 1000
    used = {c for p in varied_many for c in constructions(p.features)}
    assert used == {"three subjects", "two predicates", "two prepositions", "two clauses"}


def test_lengths_vary(many):
    lengths = Counter(p.features["length"] for p in many)
    assert min(lengths) == 3 and max(lengths) >= 14
    assert sum(c for n, c in lengths.items() if 3 <= n <= 14) / len(many) > 0.98
    assert {p.features["frame"] for p in many} >= {"be", "idiom", "go to", "make", "like", "eat"}
    assert 0.15 < sum(p.features["negated"] for p in many) / len(many) < 0.35


def test_random_pronoun_gender_reaches_elles():
    pairs = generate_pairs(2000, seed=0, pronoun_gender="random")
    assert any(" elles " in f" {p.fr}" for p in pairs)
    assert not any(" elles " in f" {p.fr}" for p in generate_pairs(2000, seed=0))


# ---------------------------------------------------------------------------------------------- splits
@pytest.fixture(scope="module")
def splits():
    return make_splits(3000, 300, 300, seed=5)


@pytest.fixture(scope="module")
def varied_splits():
    return make_splits(3000, 300, 300, seed=5, **VARIED)


def test_splits_are_disjoint_and_sized(splits):
    assert {k: len(v) for k, v in splits.items()} == {"train": 3000, "valid": 300, "test": 300, "compositional": 300,
                                                      "structural": 300}
    seen = Counter(p.en for part in splits.values() for p in part)
    assert max(seen.values()) == 1
    again = make_splits(3000, 300, 300, seed=5)
    assert [p.en for p in again["test"]] == [p.en for p in splits["test"]]


def test_compositional_split_holds_out_combinations(splits):
    held = {tuple(p) for p in HELD_OUT}
    for name in ("train", "valid", "test"):
        for p in splits[name]:
            assert not held & {tuple(x) for x in p.features["adj_noun"]}, p.en
    train_text = " ".join(f" {p.en} " for p in splits["train"])
    for adj, noun in held:
        assert f" {adj} {noun} " not in train_text and f" {noun} is {adj} " not in train_text
        assert f" {adj} " in train_text and f" {noun} " in train_text  # each word is still seen in training
    comp = splits["compositional"]
    assert all(tuple(p.features["held_out"]) in {tuple(x) for x in p.features["adj_noun"]} for p in comp)
    assert {tuple(p.features["held_out"]) for p in comp} == held
    assert any("le vieil arbre" in p.fr for p in comp) and any("bel oiseau" in p.fr for p in comp)


@pytest.mark.parametrize("corpus", ["splits", "varied_splits"])
def test_the_structural_split_holds_out_whole_skeletons(corpus, request):
    parts = request.getfixturevalue(corpus)
    seen = {p.features["structure"] for name in ("train", "valid", "test", "compositional") for p in parts[name]}
    seen_tags = {tuple(pos_tags(p.en)) for p in parts["train"]}
    for p in parts["structural"]:
        assert p.features["structure"] not in seen, p.en  # its skeleton never occurs outside the split …
        assert tuple(pos_tags(p.en)) not in seen_tags, p.en  # … nor its sequence of parts of speech
        assert not is_template(p.features) and structural_holdout(p.features, seed=5)
        assert not {tuple(x) for x in p.features["adj_noun"]} & set(HELD_OUT)
    train_tokens = {t for p in parts["train"] for t in tokenize(p.en, "en")}
    assert {t for p in parts["structural"] for t in tokenize(p.en, "en")} <= train_tokens  # no new word
    assert len({p.features["structure"] for p in parts["structural"]}) > 30


def test_the_structural_split_is_the_same_whatever_the_training_corpus(splits, varied_splits):
    assert [p.en for p in splits["structural"]] == [p.en for p in varied_splits["structural"]]
    assert all(is_template(p.features) for p in splits["train"])
    varied = [p for p in varied_splits["train"] if not is_template(p.features)]
    assert len(varied) > 1000 and not any(structural_holdout(p.features, seed=5) for p in varied)


def test_structural_holdout_is_a_fixed_share_of_skeletons_chosen_by_seed(varied_many):
    skeletons = {p.features["structure"]: p.features for p in varied_many if not is_template(p.features)}
    held = {s for s, f in skeletons.items() if structural_holdout(f, seed=0)}
    assert 0.15 < len(held) / len(skeletons) < 0.45
    assert held != {s for s, f in skeletons.items() if structural_holdout(f, seed=1)}
    assert held == {s for s, f in skeletons.items() if structural_holdout(f, seed=0)}
    assert not any(structural_holdout(p.features, seed=s) for p in varied_many if is_template(p.features)
                   for s in range(5))


def test_held_out_pairs_are_checked():
    with pytest.raises(ValueError, match="never describes"):
        make_splits(10, 1, 1, held_out=[("happy", "car")])
    with pytest.raises(ValueError, match="not an"):
        make_splits(10, 1, 1, held_out=[("purple", "cat")])


# ------------------------------------------------------------------------------- tokens and baseline
def test_tokenize():
    assert tokenize("je n'aime pas l'arbre .", "fr") == ["je", "n'", "aime", "pas", "l'", "arbre", "."]
    assert tokenize("Aujourd'hui, j’aime le chat !", "fr") == ["aujourd'hui", ",", "j'", "aime", "le", "chat", "!"]
    assert tokenize("I don't like the cat.", "en") == ["i", "don't", "like", "the", "cat", "."]
    assert SPECIAL_TOKENS == ("<pad>", "<bos>", "<eos>", "<unk>")
    with pytest.raises(ValueError, match="'en' or 'fr'"):
        tokenize("hola", "es")


def test_word_by_word_baseline():
    d = lexicon_dictionary()
    assert d["cat"] == "chat" and d["cats"] == "chats" and d["black"] == "noir" and d["likes"] == "aime"
    assert word_by_word("the black cat eats the apple .") == "le noir chat mange le pomme ."
    assert word_by_word("i do not like the tree .") == "je pas aiment le arbre ."
    assert word_by_word("the zebra is black .", {"the": "le"}) == "le zebra is black ."
    pair = sentence(NP("cat"), "eat", NP("cake"))
    assert word_by_word(pair.en) == pair.fr  # it is right when French happens to follow English


# --------------------------------------------------------------------------------------------- Tatoeba
def test_tatoeba_loader(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go.\tVa !\tCC-BY 2.0 (France) Attribution: tatoeba.org #2877272 (CM)\n\n"
                    "I'm hungry.\tJ'ai faim.\n", encoding="utf-8")
    pairs = load_tatoeba_tsv(path)
    assert [(p.en, p.fr) for p in pairs] == [("Go.", "Va !"), ("I'm hungry.", "J'ai faim.")]
    assert pairs[0].features["attribution"].startswith("CC-BY") and pairs[1].features["line"] == 3
    assert len(load_tatoeba_tsv(path, max_pairs=1)) == 1
    assert tokenize(pairs[1].fr, "fr") == ["j'", "ai", "faim", "."]
    path.write_text("Go.\tVa !\nthis line has no tab\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        load_tatoeba_tsv(path)
    with pytest.raises(FileNotFoundError, match="manythings.org/anki"):
        load_tatoeba_tsv(tmp_path / "missing.txt")
