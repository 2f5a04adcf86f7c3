"""Machine translation, English → French (notebook 04).

- ``grammar``: a lexicon, French morphology, and one described sentence rendered in both languages;
- ``corpus``: the random generator and the splits (random, compositional, structural);
- ``data``: tokens, vocabularies, (B, T) tensors, and reading a Tatoeba/Anki file;
- ``baselines``: word-by-word lookup, the baseline a practitioner tries first;
- ``model``: the encoder–decoder with attention, scores and the pretrained checkpoints;
- ``decoding``: greedy and beam search, and translating a sentence;
- ``views``: the attention heatmap and the translate widget.
"""
