"""Your own sequence task (notebook 10): the course's workflow on any data.

- ``data``: the course's data sets and the learner's own files (CSV series, text, WAV folders,
  sentence pairs), each loaded into one of four kinds;
- ``model``: the sequence classifier (the other kinds reuse the language, forecast and translation models);
- ``tasks``, ``text_tasks``: one task per kind — tensors, baselines, evaluation, pictures;
- ``plan``: a task, a model and a trainer for the loaded data, and the verdict against the baselines;
- ``views``: the data picker, the four questions and the checklist.
"""
