using Ponder.Models;
using Ponder.Reasoning.Tasks.Arith;
using Ponder.Tokenizers;

namespace Ponder.Reasoning.Verifiers;

/// <summary>
/// Scores each line of an arith solution with the shipped step verifier
/// (<c>models/ponder-arith-prm.gguf</c>): score = P(<c>+</c>) at the marker after the line, from
/// one forward pass over <see cref="ArithPrmFormat.Text"/>. Not thread-safe (one KV session).
/// </summary>
public sealed class ArithStepVerifier : IDisposable
{
    readonly Transformer _model;
    readonly InferenceSession _session;
    readonly Tokenizer _tok;
    readonly int _marker, _good;
    float[] _logits = [];

    public ArithStepVerifier(Transformer model)
    {
        _model = model;
        _session = new InferenceSession(model);
        _tok = Tokenizer.FromGguf(model.File.Metadata);
        _marker = Single(ArithPrmFormat.Marker);
        _good = Single(ArithPrmFormat.Good);
    }

    int Single(char c)
    {
        var ids = _tok.Encode(c.ToString(), addSpecial: false);
        if (ids.Length != 1) throw new ModelLoadException($"the verifier's vocabulary has no single token for '{c}'");
        return ids[0];
    }

    /// <summary>One score in [0, 1] per line of <see cref="ArithPrmFormat.Lines"/>.</summary>
    public float[] ScoreLines(string question, IReadOnlyList<string> lines)
    {
        var ids = _tok.Encode(ArithPrmFormat.Text(question, lines));
        int V = _model.Config.VocabSize;
        if (_logits.Length < ids.Length * V) _logits = new float[ids.Length * V];
        _session.Reset();
        _session.Evaluate(ids, _logits, allLogits: true);
        var scores = new List<float>(lines.Count);
        for (int t = 0; t < ids.Length; t++)
        {
            if (ids[t] != _marker) continue;
            var row = _logits.AsSpan(t * V, V);
            float max = float.NegativeInfinity;
            foreach (var x in row) max = Math.Max(max, x);
            double sum = 0;
            foreach (var x in row) sum += Math.Exp(x - max);
            scores.Add((float)(Math.Exp(row[_good] - max) / sum));
        }
        return [.. scores];
    }

    public float[] Score(string question, string solution) => ScoreLines(question, ArithPrmFormat.Lines(solution));

    public void Dispose() => _session.Dispose();
}
