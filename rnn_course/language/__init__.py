"""Language modeling and text generation (notebooks 02 and 03), in three rooms.

- ``data``: the Shakespeare corpus, word and character vocabularies, (B, T) windows;
- ``model``: ``RecurrentLM`` and everything that scores or samples from it;
- ``baselines``: the Kneser–Ney n-gram model a practitioner tries first;
- ``views``: the pretrained models and the notebooks' widgets (next words, sampling, hidden units).
"""
