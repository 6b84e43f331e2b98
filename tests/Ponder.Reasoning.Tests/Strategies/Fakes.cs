using Ponder.Engine;
using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Tests.Strategies;

/// <summary>
/// A scripted generator: whole samples come from a queue (text, mean logprob); a step of a partial
/// solution is <see cref="NextStep"/>(parent steps, how many children that parent has had so far).
/// It records every call so tests can assert what a strategy asked for.
/// </summary>
sealed class ScriptedGenerator : IGenerator
{
    public ComputeLedger Ledger { get; } = new();
    public Queue<(string Text, double MeanLogprob)> Samples { get; } = new();
    public Func<IReadOnlyList<string>, int, string> NextStep { get; set; } = (_, _) => "answer: 0";
    public List<int> SampleCalls { get; } = new();
    public List<SampleSettings> SampleSettings { get; } = new();
    public List<int> ExtendCalls { get; } = new();
    public int LivePartials;
    readonly Dictionary<string, int> _children = new();

    public Task<IReadOnlyList<Completion>> SampleAsync(string prompt, int n, SampleSettings settings, CancellationToken ct = default)
    {
        SampleCalls.Add(n);
        SampleSettings.Add(settings);
        var r = new List<Completion>();
        for (int i = 0; i < n; i++)
        {
            var (t, lp) = Samples.Count > 0 ? Samples.Dequeue() : ("no answer", -5.0);
            r.Add(new Completion(t, t.Length, lp, !t.StartsWith("...", StringComparison.Ordinal), FinishReason.Stop));
        }
        Ledger.AddPolicy(null, prompt.Length, prompt.Length, 0, r.Select(c => c.Tokens).ToArray());
        return Task.FromResult<IReadOnlyList<Completion>>(r);
    }

    public Task<IPartial> StartAsync(string prompt, StepSettings settings, CancellationToken ct = default)
    {
        Interlocked.Increment(ref LivePartials);
        return Task.FromResult<IPartial>(new FakePartial(this, settings, [], false, false));
    }

    public Task<IReadOnlyList<IPartial>> ExtendAsync(IReadOnlyList<StepRequest> requests, CancellationToken ct = default)
    {
        ExtendCalls.Add(requests.Count);
        var r = new List<IPartial>();
        foreach (var q in requests)
        {
            var p = (FakePartial)q.From;
            if (p.Disposed) throw new InvalidOperationException("extended a disposed partial");
            if (p.Done) throw new InvalidOperationException("extended a finished partial");
            string key = p.Text;
            int k = _children.GetValueOrDefault(key);
            _children[key] = k + 1;
            string step = NextStep(p.Steps, k);
            var steps = new List<string>(p.Steps) { step };
            bool final = p.Settings.IsFinalStep(step);
            Interlocked.Increment(ref LivePartials);
            r.Add(new FakePartial(this, p.Settings, steps, final || steps.Count >= p.Settings.MaxSteps, final));
        }
        return Task.FromResult<IReadOnlyList<IPartial>>(r);
    }

    sealed class FakePartial(ScriptedGenerator g, StepSettings settings, List<string> steps, bool done, bool finished) : IPartial
    {
        public StepSettings Settings => settings;
        public IReadOnlyList<string> Steps => steps;
        public string Text => string.Join("\n", steps);
        public bool Done => done;
        public bool Finished => finished;
        public int Tokens => Text.Length;
        public double LogprobSum => -Tokens;
        public bool Disposed;
        public void Dispose()
        {
            if (Disposed) return;
            Disposed = true;
            Interlocked.Decrement(ref g.LivePartials);
        }
    }
}

/// <summary>A scripted PRM: the score of a step is looked up by its text (default 0.5).</summary>
sealed class ScriptedVerifier(Dictionary<string, double> scores) : IProcessVerifier
{
    public List<int> Calls { get; } = new();

    public Task<double[]> ScoreLastStepAsync(Problem problem, IReadOnlyList<IReadOnlyList<string>> solutions, ComputeLedger ledger, CancellationToken ct = default)
    {
        Calls.Add(solutions.Count);
        return Task.FromResult(solutions.Select(s => s.Count == 0 ? 0.5 : scores.GetValueOrDefault(s[^1], 0.5)).ToArray());
    }
}

static class Problems
{
    public static Problem Arith(string q = "2+3*4") => Problem.FromArith(Ponder.Reasoning.Tasks.Arith.ArithProblem.Parse(q));
    public static Budget B(int n) => new(n) { MaxSteps = 8 };
}
