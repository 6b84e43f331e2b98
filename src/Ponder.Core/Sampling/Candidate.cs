namespace Ponder.Sampling;

/// <summary>A surviving token and its logit during truncation (top-k, top-p, min-p).</summary>
internal struct Candidate(int id, float logit)
{
    public int Id = id;
    public float Logit = logit;

    /// <summary>The sampler's one total order: higher logit first, then lower id. Ties are broken by
    /// id so that top-k = 1 is greedy and every cut is deterministic whatever the sort does.</summary>
    public static bool Before(in Candidate a, in Candidate b) => a.Logit > b.Logit || (a.Logit == b.Logit && a.Id < b.Id);
}

/// <summary>Sorts candidates best first (see <see cref="Candidate.Before"/>); a struct so
/// <see cref="MemoryExtensions.Sort{T, TComparer}(Span{T}, TComparer)"/> neither boxes nor allocates.</summary>
internal readonly struct BestFirst : IComparer<Candidate>
{
    public int Compare(Candidate a, Candidate b) => Candidate.Before(a, b) ? -1 : Candidate.Before(b, a) ? 1 : 0;
}
