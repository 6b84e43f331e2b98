using System.Diagnostics;

namespace Ponder.Models;

/// <summary>Wall time per phase of the forward pass, accumulated across calls (for <c>ponder bench --profile</c>).
/// Each mark charges the time since the previous mark to a phase.</summary>
public sealed class ForwardProfile
{
    public enum Phase { Embed, Norm, Qkv, RopeKv, Attention, OutProj, GateUp, Silu, Down, Head }

    private readonly long[] _ticks = new long[Enum.GetValues<Phase>().Length];
    private long _last;

    public void Start() => _last = Stopwatch.GetTimestamp();

    public void Mark(Phase p)
    {
        long now = Stopwatch.GetTimestamp();
        _ticks[(int)p] += now - _last;
        _last = now;
    }

    public IEnumerable<(Phase Phase, double Milliseconds)> Totals()
    {
        foreach (var p in Enum.GetValues<Phase>()) yield return (p, _ticks[(int)p] * 1000.0 / Stopwatch.Frequency);
    }
}
