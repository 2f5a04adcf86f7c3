"""Machine translation, English → French (notebook 04).

- ``grammar``: the generated corpus — a lexicon, French morphology and the sentence generator;
- ``data``: tokens, vocabularies, (B, T) tensors, and reading a Tatoeba/Anki file;
- ``baselines``: word-by-word lookup, the baseline a practitioner tries first;
- ``model``: the encoder–decoder with attention, decoding, scores and the pretrained checkpoints;
- ``views``: the attention heatmap and the translate widget.
"""
