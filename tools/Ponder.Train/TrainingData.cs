using Ponder.Reasoning.Tasks.Arith;
using Ponder.Sampling;

namespace Ponder.Train;

/// <summary>One training sequence: token ids and, per position, the target id (-100 = no loss).</summary>
public sealed record Example(int[] Ids, int[] Targets);

/// <summary>A source of examples; batch b of a run is a pure function of (seed, b), so a resumed
/// run sees exactly the data an uninterrupted one would.</summary>
public interface IExampleSource
{
    Example Make(ulong seed, int step, int index);
}

/// <summary>Policy data drawn on the fly from the task spec: the question is context, the model
/// learns the newline, the steps, the answer line and the end token. With <paramref name="hurry"/>
/// &gt; 0 the demonstrations come from an unreliable solver (<see cref="NoisySolver"/>) instead of
/// the reference one.</summary>
public sealed class PolicySource(int minSteps = 2, int maxSteps = 8, double hurry = 0, double slip = 0) : IExampleSource
{
    public Example Make(ulong seed, int step, int index)
    {
        ulong s = Mix(seed, step, index);
        var p = new ArithGenerator(s, minSteps, maxSteps).Next();
        if (hurry <= 0) return Encode(p);
        var rng = new Xoshiro256StarStar(s ^ 0x5EEDUL);
        return Encode(p, NoisySolver.Solve(p, hurry, slip, ref rng));
    }

    public static Example Encode(ArithProblem p) => Encode(p, p.Solution());

    public static Example Encode(ArithProblem p, string solution)
    {
        var ids = new List<int> { CharVocab.Bos };
        CharVocab.Append(ids, p.Question);
        int start = ids.Count;
        CharVocab.Append(ids, "\n" + solution);
        ids.Add(CharVocab.Eos);
        var t = new int[ids.Count];
        Array.Fill(t, -100);
        // Position i predicts token i+1; the loss covers everything after the question.
        for (int i = start - 1; i + 1 < ids.Count; i++) t[i] = ids[i + 1];
        return new Example([.. ids], t);
    }

    public static ulong Mix(ulong seed, int step, int index)
    {
        ulong x = seed * 0x9E3779B97F4A7C15UL ^ (ulong)step * 0xBF58476D1CE4E5B9UL ^ (ulong)index * 0x94D049BB133111EBUL;
        x ^= x >> 31; x *= 0xD6E8FEB86659FD93UL; x ^= x >> 32;
        return x;
    }
}

/// <summary>A solution to label: sampled from the policy or made by corrupting a reference.</summary>
public sealed record LabelledSolution(string Question, string Solution);

/// <summary>
/// Verifier data: the question, then each line of a solution followed by the marker; the target at
/// each marker is '+' while every step so far is right (the exact checker's verdicts) and '-' from
/// the first wrong step on; the answer line is '+' only when the whole solution is right.
/// Mixes policy samples (real mistakes) with references and synthetic corruptions, and optionally with fresh
/// solutions of the unreliable solver the policy imitates.
/// </summary>
public sealed class PrmSource(IReadOnlyList<LabelledSolution> samples, double syntheticShare, double noisyShare = 0) : IExampleSource
{
    public Example Make(ulong seed, int step, int index)
    {
        var rng = new Xoshiro256StarStar(PolicySource.Mix(seed, step, index));
        double u = rng.NextDouble();
        if (samples.Count == 0 || u < syntheticShare)
        {
            var p = new ArithGenerator(rng.NextUInt64()).Next();
            return Encode(p, Corrupt(p, ref rng));
        }
        if (u < syntheticShare + noisyShare)
        {
            // Fresh solutions in the policy's own notations and slips (the unreliable solver it learned from), without
            // limit: a few thousand stored samples are seen many times over a long run, and the verifier starts to
            // learn them by heart.
            var p = new ArithGenerator(rng.NextUInt64()).Next();
            return Encode(p, NoisySolver.Solve(p, 0.4, 0.7, ref rng));
        }
        var s = samples[(int)(rng.NextUInt64() % (ulong)samples.Count)];
        return Encode(ArithProblem.Parse(s.Question), s.Solution);
    }

    /// <summary>The verifier's input for a solution (<see cref="ArithPrmFormat"/>) and its marker positions.</summary>
    public static (int[] Ids, List<int> Markers) Layout(string question, string solution)
    {
        var ids = CharVocab.Encode(ArithPrmFormat.Text(question, ArithPrmFormat.Lines(solution)));
        var markers = new List<int>();
        int m = CharVocab.Id(CharVocab.Marker);
        for (int i = 0; i < ids.Length; i++) if (ids[i] == m) markers.Add(i);
        return (ids, markers);
    }

    /// <summary>Per line of <see cref="Layout"/>: is the solution still right after it.</summary>
    public static bool[] Labels(ArithProblem p, string solution)
    {
        var v = ArithChecker.Check(p, solution);
        var (_, answer) = ArithSolution.Split(solution);
        var r = new bool[v.StepLines.Count + (answer != null ? 1 : 0)];
        for (int i = 0; i < v.StepLines.Count; i++) r[i] = v.StepCorrect[i];
        if (answer != null) r[^1] = v.Correct && v.FirstWrongStep < 0 && v.StepLines.Count == p.Steps;
        return r;
    }

    public static Example Encode(ArithProblem p, string solution)
    {
        var (ids, markers) = Layout(p.Question, solution);
        var labels = Labels(p, solution);
        var t = new int[ids.Length];
        Array.Fill(t, -100);
        // Auxiliary targets: on lines that are still right, the verifier also writes the result (after '=' or ':') as
        // the policy does. It starts from the policy's weights; a verdict alone is one sparse bit per line, and this
        // dense signal keeps the arithmetic the verdict rests on. Token q is text character q - 1 (BOS first).
        int line = 0, resultFrom = -1;
        for (int q = 1; q < ids.Length && line < labels.Length; q++)
        {
            int tok = ids[q];
            if (tok == CharVocab.Id(CharVocab.Marker)) { line++; resultFrom = -1; continue; }
            if (tok == CharVocab.Id('=') || tok == CharVocab.Id(':')) { resultFrom = q + 1; continue; }
            if (resultFrom > 0 && q >= resultFrom && labels[line]) t[q - 1] = tok;
        }
        for (int i = 0; i < markers.Count; i++) t[markers[i]] = CharVocab.Id(labels[i] ? CharVocab.Good : CharVocab.Bad);
        return new Example(ids, t);
    }

    /// <summary>A reference solution with (usually) one mistake of the kinds the policy makes, after
    /// which the solution goes on correctly from the wrong value; a quarter stay correct. A tenth of the lines
    /// use the policy's spaced notation.</summary>
    public static string Corrupt(ArithProblem p, ref Xoshiro256StarStar rng)
    {
        if (rng.NextDouble() < 0.25) return p.Solution();
        int j = (int)(rng.NextUInt64() % (ulong)p.Steps);
        var sb = new System.Text.StringBuilder();
        long a = p.First;
        for (int i = 0; i < p.Steps; i++)
        {
            char op = p.Ops[i];
            long b = p.Operands[i];
            long c = ArithProblem.Apply(a, op, b);
            if (i == j)
            {
                switch (rng.NextUInt64() % 7)
                {
                    case 6: c = NoisySolver.Slip(c); break;                          // a carry too many into the leading digit
                    case 0: c += Nonzero(ref rng, 1); break;                       // off by one
                    case 1: c += Nonzero(ref rng, 9); break;                       // last digit wrong
                    case 2: c += 10 * Nonzero(ref rng, 2); break;                  // carry lost or doubled
                    case 3: c += 100 * Nonzero(ref rng, 1); break;                 // hundreds wrong
                    case 4: b = b == 0 ? 1 : b + Nonzero(ref rng, 1); c = ArithProblem.Apply(a, op, b); break; // misread operand
                    default: c = -c == c ? c + 1 : -c; break;                      // sign slip
                }
            }
            // The policy's careful notation spaces the equals sign out; the verifier must judge both alike.
            sb.Append(rng.NextDouble() < 0.1 ? NoisySolver.CarefulStep(a, op, b, c, ref rng) : ArithSolution.FormatStep(a, op, b, c)).Append('\n');
            a = c;
        }
        sb.Append(ArithSolution.FormatAnswer(a));
        return sb.ToString();
    }

    static long Nonzero(ref Xoshiro256StarStar rng, int max)
    {
        long v = 1 + (long)(rng.NextUInt64() % (ulong)max);
        return (rng.NextUInt64() & 1) == 0 ? v : -v;
    }
}
