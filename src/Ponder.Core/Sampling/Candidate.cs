namespace Ponder.Sampling;

/// <summary>A surviving token and its logit during truncation (top-k, top-p, min-p).</summary>
internal struct Candidate(int id, float logit)
{
    public int Id = id;
    public float Logit = logit;

    /// <summary>The sampler's one total order: higher logit first, then lower id. Ties are broken by
    /// id so that top-k = 1 is greedy and every cut is deterministic whatever the sort does.</summary>
    /// <summary>Sort order, best first. A cached delegate: Span.Sort with a struct IComparer boxes it
    /// and wraps it in a new delegate on every call (88 bytes), this does not allocate.</summary>
    public static readonly Comparison<Candidate> BestFirst = static (a, b) => Before(a, b) ? -1 : Before(b, a) ? 1 : 0;

    public static bool Before(in Candidate a, in Candidate b) => a.Logit > b.Logit || (a.Logit == b.Logit && a.Id < b.Id);
}

