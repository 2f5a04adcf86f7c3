# Verbatim copy of the code in ../shared/seed/practical_rnn_applications.txt
# (the article's indentation restored; nothing else changed). The seed-model
# tests load state_dicts between these classes and rnn_course.article and
# compare outputs, so the package can never drift from the article.
# Do not "fix" anything here: the flaws are what the course teaches.
import torch
import torch.nn as nn
class RNNLanguageModel(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim):
        super(RNNLanguageModel, self).__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.rnn = nn.RNN(embedding_dim, hidden_dim)
        self.fc = nn.Linear(hidden_dim, vocab_size)
    def forward(self, x):
        x = self.embedding(x)
        out, _ = self.rnn(x)
        out = self.fc(out)
        return out
class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size):
        super(EncoderRNN, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
    def forward(self, x):
        output, hidden = self.rnn(x)
        return output, hidden
class DecoderRNN(nn.Module):
    def __init__(self, output_size, hidden_size):
        super(DecoderRNN, self).__init__()
        self.rnn = nn.RNN(output_size, hidden_size)
        self.fc = nn.Linear(hidden_size, output_size)
    def forward(self, x, hidden):
        output, hidden = self.rnn(x, hidden)
        output = self.fc(output)
        return output, hidden
def generate_text(model, start_text, gen_length):
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
class LSTMPredictor(nn.Module):
    def __init__(self, input_size, hidden_size):
        super(LSTMPredictor, self).__init__()
        self.lstm = nn.LSTM(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, 1)
    def forward(self, x):
        lstm_out, _ = self.lstm(x)
        prediction = self.fc(lstm_out[-1]) # Predict using output from final time step
        return prediction
class SpeechRecognitionRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(SpeechRecognitionRNN, self).__init__()
        self.rnn = nn.RNN(input_size, hidden_size)
        self.fc = nn.Linear(hidden_size, output_size)
    def forward(self, x):
        output, _ = self.rnn(x)
        output = self.fc(output)
        return output

# The article's generate_text reads these globals; the tests set them.
word_to_index = {}
index_to_word = {}
