using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Reasoning.Eval;

/// <summary>One line of results.jsonl: a problem × strategy × budget, its answer, correctness and ledger.</summary>
public sealed record EvalRow
{
    public required string ProblemId { get; init; }
    public required string Question { get; init; }
    public string? Expected { get; init; }
    public int? Difficulty { get; init; }
    public required string Strategy { get; init; }
    public required int Budget { get; init; }
    public string? Answer { get; init; }
    public bool Correct { get; init; }
    public bool? Covered { get; init; }
    public int Candidates { get; init; }
    public int CorrectCandidates { get; init; }
    public required LedgerSnapshot Ledger { get; init; }
    public Dictionary<string, string> Notes { get; init; } = [];

    [JsonIgnore] public string Key => KeyOf(ProblemId, Strategy, Budget);
    public static string KeyOf(string problem, string strategy, int budget) => $"{problem}\t{strategy}\t{budget}";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Questions hold + and *, which the default encoder writes as \u002B: keep the file readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static EvalRow From(Problem p, int budget, StrategyResult r) => new()
    {
        ProblemId = p.Id,
        Question = p.Question,
        Expected = p.Answer,
        Difficulty = p.Difficulty,
        Strategy = r.Strategy,
        Budget = budget,
        Answer = r.Answer,
        Correct = p.IsCorrect(r.Answer),
        Covered = r.Covered(p),
        Candidates = r.Candidates.Count,
        CorrectCandidates = p.Answer == null ? 0 : r.Candidates.Count(c => p.IsCorrect(c.Answer)),
        Ledger = r.Ledger,
        Notes = new(r.Notes),
    };
}
