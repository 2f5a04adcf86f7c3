"""The article's models, exactly as it wrote them — with their shapes written down.

Source: ``shared/seed/practical_rnn_applications.txt`` ("20 Real-World Applications of
Recurrent Neural Networks"). The classes keep the article's constructor signatures,
submodule names and behaviour, so a ``state_dict`` moves between this module and the
article's code with ``strict=True`` and gives identical outputs (``tests/test_article.py``
checks it against a verbatim copy).

All of them use PyTorch's default **time-first** layout: ``nn.RNN``/``nn.LSTM`` are built
without ``batch_first``, so a batch is ``(T, B, F)`` and ``h_n`` is ``(L·D, B, H)``.
The notebooks show where that bites (``lstm_out[-1]`` is the last *time step* here, but the
last *batch item* once someone sets ``batch_first=True``) and build improved models beside
these. Nothing in this file is fixed on purpose — except :func:`generate_text_fixed`, which
sits next to the article's :func:`generate_text` so the two can be compared.
"""

from __future__ import annotations

import torch
import torch.nn as nn

__all__ = [
    "RNNLanguageModel",
    "EncoderRNN",
    "DecoderRNN",
    "LSTMPredictor",
    "SpeechRecognitionRNN",
    "generate_text",
    "generate_text_fixed",
    "word_to_index",
    "index_to_word",
]


class RNNLanguageModel(nn.Module):
    """Next-word model: embedding → ``nn.RNN`` → linear over the vocabulary.

    x: (T, B) word indices → logits: (T, B, V). Time-first.
    """

    def __init__(self, vocab_size, embedding_dim, hidden_dim):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x):
        x = self.embedding(x)  # (T, B) → (T, B, E)
        out, _ = self.rnn(x)  # (T, B, H); the final hidden state is thrown away
        out = self.fc(out)  # (T, B, V)
        return out


class EncoderRNN(nn.Module):
    """Reads the source sentence; its last hidden state summarises it.

    x: (T_src, B, F_src) → output: (T_src, B, H), hidden h_n: (1, B, H). Time-first.
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)

    def forward(self, x):
        output, hidden = self.rnn(x)  # (T, B, H), (1, B, H)
        return output, hidden


class DecoderRNN(nn.Module):
    """Writes the target sentence, starting from the encoder's hidden state.

    Its input size *is* the output vocabulary size: it consumes one-hot (or soft) vectors
    of the previous target word. x: (T_tgt, B, V_tgt), hidden: (1, B, H)
    → logits: (T_tgt, B, V_tgt), hidden: (1, B, H). Time-first.
    """

    def __init__(self, output_size, hidden_size):
        super().__init__()
        self.rnn = nn.RNN(output_size, hidden_size)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x, hidden):
        output, hidden = self.rnn(x, hidden)  # (T, B, H), (1, B, H)
        output = self.fc(output)  # (T, B, V)
        return output, hidden


class LSTMPredictor(nn.Module):
    """One-step-ahead regressor: LSTM over a window, linear head on the last step.

    x: (T, B, F) → prediction: (B, 1). Time-first: ``lstm_out[-1]`` is the last time step
    *only because* the LSTM is time-first; with ``batch_first=True`` it would silently be
    the last batch item (notebooks 01 and 05 show it, ``diagnose`` catches it).
    """

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.lstm = nn.LSTM(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x):
        lstm_out, _ = self.lstm(x)  # (T, B, H)
        prediction = self.fc(lstm_out[-1])  # last time step: (B, H) → (B, 1)
        return prediction


class SpeechRecognitionRNN(nn.Module):
    """Frame-wise classifier over acoustic features (train with CTC for transcripts).

    x: (T, B, F) feature frames → logits: (T, B, C) per frame. Time-first.
    """

    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        output, _ = self.rnn(x)  # (T, B, H)
        output = self.fc(output)  # (T, B, C)
        return output


# ---------------------------------------------------------------------------------------
# Text generation: the article's function as written, and a corrected one beside it.

# The article's generate_text reads two globals it never defines. They live here; pass the
# vocabulary explicitly (keyword arguments below) or set them before calling.
word_to_index: dict[str, int] = {}
index_to_word: dict[int, str] = {}


def generate_text(model, start_text, gen_length, *, word_to_index=None, index_to_word=None):
    """The article's text generator, body unchanged. It is wrong in three ways:

    1. ``start_text`` is looked up as *one* word: "Once upon a time" is a ``KeyError``.
    2. ``input`` is ``(1,)`` — no batch and no time axis. ``nn.RNN`` accepts it only as an
       *unbatched* sequence of length 1, so every call starts from a zero hidden state: the
       next word depends on the previous word alone, and greedy output falls into a loop.
    3. ``torch.max(output, dim=1)`` is the vocabulary axis only for that unbatched
       ``(T, V)`` output. Give the input its proper ``(T, B)`` axes and the output is
       ``(T, B, V)``: dim 1 is then the *batch* axis, and ``.item()`` fails.

    Use :func:`generate_text_fixed` for the corrected version.
    """
    word_to_index = globals()["word_to_index"] if word_to_index is None else word_to_index
    index_to_word = globals()["index_to_word"] if index_to_word is None else index_to_word
    # --- the article's body, verbatim ---
    model.eval()
    generated_text = start_text
    input = torch.tensor([word_to_index[start_text]]) # Convert seed text to index
    for _ in range(gen_length):
        output = model(input)
        _, top_index = torch.max(output, dim=1)
        next_word = index_to_word[top_index.item()]
        generated_text += ' ' + next_word
        input = torch.tensor([top_index.item()]) # Update input to index of newly generated word
    return generated_text


@torch.no_grad()
def generate_text_fixed(
    model: RNNLanguageModel,
    start_text: str,
    gen_length: int,
    word_to_index: dict[str, int],
    index_to_word: dict[int, str],
    *,
    temperature: float = 0.0,
    generator: torch.Generator | None = None,
    tokenize=str.split,
    sep: str = " ",
) -> str:
    """Generate ``gen_length`` words after ``start_text`` with the article's language model.

    What changed, and why:

    * the prompt is split into words and *all* of them are read: ``(T, B=1)`` indices;
    * the hidden state ``h: (L·D, B, H)`` is carried from step to step, so every new word is
      conditioned on the whole text so far (the article's model drops it, so we call its
      submodules ``embedding → rnn → fc`` ourselves);
    * the next word is chosen over the **vocabulary** axis of the last step's logits
      ``(T, B, V)[-1, 0] → (V,)``: greedily when ``temperature == 0``, else by sampling.

    Unknown prompt words raise ``KeyError`` naming them and what the vocabulary holds.
    For a character-level model pass ``tokenize=list, sep=""``.
    """
    if gen_length < 0:
        raise ValueError(f"gen_length must be ≥ 0, got {gen_length}")
    if temperature < 0:
        raise ValueError(f"temperature must be ≥ 0 (0 means greedy), got {temperature}")
    words = tokenize(start_text)
    if not words:
        raise ValueError("start_text is empty: give at least one word to start from")
    unknown = [w for w in words if w not in word_to_index]
    if unknown:
        raise KeyError(
            f"words not in the vocabulary: {unknown}. Known words include: "
            f"{sorted(word_to_index)[:10]}…"
        )
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    tokens = torch.tensor([word_to_index[w] for w in words], device=device).unsqueeze(1)  # (T, 1)
    out, h = model.rnn(model.embedding(tokens))  # (T, 1, H), h: (1, 1, H)
    logits = model.fc(out[-1, 0])  # last step, only batch item: (V,)
    generated = list(words)
    for _ in range(gen_length):
        if temperature == 0:
            nxt = int(logits.argmax(dim=-1))
        else:
            probs = torch.softmax(logits / temperature, dim=-1)
            nxt = int(torch.multinomial(probs, 1, generator=generator))
        generated.append(index_to_word[nxt])
        step = torch.tensor([[nxt]], device=device)  # (T=1, B=1)
        out, h = model.rnn(model.embedding(step), h)  # (1, 1, H)
        logits = model.fc(out[-1, 0])  # (V,)
    model.train(was_training)
    return sep.join(generated)
