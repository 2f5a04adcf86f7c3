"""Speech recognition, spoken digits (notebook 07).

- ``data``: the speech corpus, audio reading and checks, log-mel features (T, F), augmentation,
  batches, CTC decoding and error rates;
- ``model``: the acoustic model (BiGRU + CTC), evaluation, transcription and the pretrained checkpoints;
- ``views``: waveform and frame-prediction plots, the hard test, and the upload-and-transcribe demo.
"""
