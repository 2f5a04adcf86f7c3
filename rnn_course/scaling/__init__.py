"""Scaling out (notebook 09): data-parallel training with torchrun, and what it costs.

- ``distributed``: DistributedDataParallel on CPUs (gloo) or GPUs (NCCL), sharded batches, snapshots;
- ``job``: the training job (notebook 03's character LM) that ``scripts/train_ddp.py`` runs;
- ``launch``: starting it under torchrun on 127.0.0.1, and clear messages when that fails;
- ``views``: all-reduce arithmetic, the data-parallel picture, sizing a classroom.
"""
