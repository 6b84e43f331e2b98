using System.Diagnostics;
using Ponder.Sampling;

namespace Ponder.Cli;

/// <summary>An output constraint that records how long each <see cref="FillNextTokenMask"/> takes, so a benchmark
/// measures masks on the engine's real path. Forks share the sample list (benchmarks run one sequence).</summary>
public sealed class TimedConstraint(ITokenConstraint inner, List<long> ticks) : ITokenConstraint
{
    public List<long> Ticks => ticks;

    public void FillNextTokenMask(Span<uint> bitmask)
    {
        long t0 = Stopwatch.GetTimestamp();
        inner.FillNextTokenMask(bitmask);
        ticks.Add(Stopwatch.GetTimestamp() - t0);
    }

    public bool Accept(int token) => inner.Accept(token);
    public void Rollback(int tokens) => inner.Rollback(tokens);
    public ITokenConstraint Fork() => new TimedConstraint(inner.Fork(), ticks);
    public bool IsTerminated => inner.IsTerminated;
}
