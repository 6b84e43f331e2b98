using Ponder.Sampling;

namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>
/// Seeded problem generator, exactly the task spec: k uniform in [MinSteps, MaxSteps]; the first
/// number 0..99; each operator uniform over <c>+ - *</c>; operands of + and - 0..99, of * 2..9;
/// a problem with any intermediate |v| &gt; 9999 is redrawn whole. Same seed, same problems, on
/// every machine (xoshiro256**, no floating point in the draws).
/// </summary>
public sealed class ArithGenerator
{
    public const int MaxAbsIntermediate = 9999;
    public const int MinStepsAllowed = 1, MaxStepsAllowed = 20;
    static readonly char[] OpChars = ['+', '-', '*'];

    Xoshiro256StarStar _rng;
    public int MinSteps { get; }
    public int MaxSteps { get; }

    public ArithGenerator(ulong seed, int minSteps = 2, int maxSteps = 8)
    {
        if (minSteps < MinStepsAllowed || maxSteps > MaxStepsAllowed)
            throw new ArgumentException($"steps must be within {MinStepsAllowed}..{MaxStepsAllowed}, got --min-steps {minSteps} --max-steps {maxSteps}");
        if (minSteps > maxSteps)
            throw new ArgumentException($"--min-steps {minSteps} is greater than --max-steps {maxSteps}");
        MinSteps = minSteps;
        MaxSteps = maxSteps;
        _rng = new Xoshiro256StarStar(seed);
    }

    /// <summary>An integer uniform in [lo, hi] (rejection sampling, so no modulo bias).</summary>
    int Uniform(int lo, int hi)
    {
        ulong n = (ulong)(hi - lo + 1);
        ulong limit = ulong.MaxValue - ulong.MaxValue % n;
        ulong x;
        do x = _rng.NextUInt64(); while (x >= limit);
        return lo + (int)(x % n);
    }

    /// <summary>The next problem with k drawn uniformly from [MinSteps, MaxSteps].</summary>
    public ArithProblem Next() => Next(Uniform(MinSteps, MaxSteps));

    /// <summary>The next problem with exactly <paramref name="steps"/> steps.</summary>
    public ArithProblem Next(int steps)
    {
        if (steps < MinStepsAllowed || steps > MaxStepsAllowed)
            throw new ArgumentException($"steps must be within {MinStepsAllowed}..{MaxStepsAllowed}, got {steps}");
        var ops = new char[steps];
        var nums = new int[steps];
        while (true)
        {
            int first = Uniform(0, 99);
            long v = first;
            bool ok = true;
            for (int i = 0; i < steps; i++)
            {
                char op = OpChars[Uniform(0, 2)];
                int b = op == '*' ? Uniform(2, 9) : Uniform(0, 99);
                ops[i] = op;
                nums[i] = b;
                v = ArithProblem.Apply(v, op, b);
                if (Math.Abs(v) > MaxAbsIntermediate) { ok = false; break; }
            }
            if (ok) return new ArithProblem(first, ops, nums);
        }
    }

    public IEnumerable<ArithProblem> Take(int count)
    {
        for (int i = 0; i < count; i++) yield return Next();
    }
}
