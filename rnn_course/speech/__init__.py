"""Speech recognition, spoken digits (notebook 07).

- ``data``: the one front end (audio reading and checks, log-mel features (T, F)), the speech
  corpus, batches, CTC decoding and error rates;
- ``dataset``: what training reads — ``SpeechDataset`` and its augmentation (``Augment``, ``Channel``);
- ``model``: the acoustic model (BiGRU + CTC), evaluation, transcription and the pretrained checkpoints;
- ``views``: waveform and frame-prediction plots, the hard test, and the upload-and-transcribe demo.
"""
