"""rnn_course.article must stay interchangeable with the article's own code."""

import pytest
import torch

from rnn_course import article as ours
from tests import article_original as article

T, B = 7, 3

CASES = {
    "RNNLanguageModel": (dict(vocab_size=50, embedding_dim=8, hidden_dim=16),
                         lambda: (torch.randint(0, 50, (T, B)),)),
    "EncoderRNN": (dict(input_size=5, hidden_size=16), lambda: (torch.randn(T, B, 5),)),
    "DecoderRNN": (dict(output_size=11, hidden_size=16),
                   lambda: (torch.randn(T, B, 11), torch.randn(1, B, 16))),
    "LSTMPredictor": (dict(input_size=4, hidden_size=16), lambda: (torch.randn(T, B, 4),)),
    "SpeechRecognitionRNN": (dict(input_size=13, hidden_size=16, output_size=29),
                             lambda: (torch.randn(T, B, 13),)),
}


def _outputs(model, inputs):
    out = model(*inputs)
    return out if isinstance(out, tuple) else (out,)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("direction", ["article_to_ours", "ours_to_article"])
def test_state_dict_loads_strictly_and_outputs_are_identical(name, direction):
    kwargs, make_inputs = CASES[name]
    torch.manual_seed(0)
    src_cls, dst_cls = getattr(article, name), getattr(ours, name)
    if direction == "ours_to_article":
        src_cls, dst_cls = dst_cls, src_cls
    src = src_cls(**kwargs).eval()
    torch.manual_seed(123)  # different init, so equal outputs prove the weights moved
    dst = dst_cls(**kwargs).eval()
    inputs = make_inputs()
    before = _outputs(dst, inputs)
    dst.load_state_dict(src.state_dict(), strict=True)
    assert list(dst.state_dict()) == list(src.state_dict())
    with torch.no_grad():
        for a, b, old in zip(_outputs(src, inputs), _outputs(dst, inputs), before):
            assert a.shape == b.shape
            assert torch.equal(a, b)
            assert not torch.equal(a, old)


def test_seed_models_are_time_first_like_the_article():
    lm = ours.RNNLanguageModel(50, 8, 16)
    assert lm.rnn.batch_first is False
    assert lm(torch.randint(0, 50, (T, B))).shape == (T, B, 50)  # (T, B, V)
    pred = ours.LSTMPredictor(4, 16)
    assert pred(torch.randn(T, B, 4)).shape == (B, 1)  # lstm_out[-1]: last time step
    enc, dec = ours.EncoderRNN(5, 16), ours.DecoderRNN(11, 16)
    out, h = enc(torch.randn(T, B, 5))
    assert out.shape == (T, B, 16) and h.shape == (1, B, 16)  # h_n: (L·D, B, H)
    logits, h2 = dec(torch.randn(4, B, 11), h)
    assert logits.shape == (4, B, 11) and h2.shape == (1, B, 16)
