using Ponder.Sampling;

namespace Ponder.Grammars;

/// <summary>
/// A grammar matcher that also knows how many tokens the sequence may still generate, and makes sure the output is a
/// complete string of the grammar before they run out: a JSON value cut off at the token limit is not JSON, and a
/// weak or random-weight model may ramble inside a string until it is. While the tokens left are comfortably more
/// than the shortest completion (<see cref="GrammarMatcher.ShortestCompletion"/>), the mask is the grammar's; once
/// they are not, only tokens whose bytes begin that completion are allowed (each moves at least one byte closer), and
/// end-of-generation where the grammar may end, so the budget covers the completion plus the end token. Once steering
/// starts it stays on (until a rollback undoes it): a steered multi-byte token shortens the completion faster than the
/// budget, and leaving the steering then would let a free token reopen structure the budget no longer covers.
/// </summary>
/// <remarks>
/// The switch happens at <c>2 × completion + <see cref="Margin"/></c> tokens left rather than at exactly
/// <c>completion + 1</c>, because one freely chosen token can open new required structure (an array item that is an
/// object with required keys) and make the completion longer; only a single token that adds more than that at the
/// last free step can still outrun the budget. Checking every allowed token's effect exactly would cost a full
/// vocabulary walk per step. Counting is in tokens the engine generates, end-of-generation included, as it counts
/// max_tokens.
/// </remarks>
public sealed class TokenBudgetMatcher : ITokenConstraint
{
    /// <summary>Extra tokens kept in hand beyond twice the shortest completion.</summary>
    public const int Margin = 64;

    int _used;
    int _steerFrom = -1; // tokens used when steering started, or -1
    // Scratch for the steering masks, kept so a step allocates nothing.
    readonly List<byte> _rest = [];
    readonly IntBuffer _prefixes = new();

    /// <param name="matcher">The grammar state (usually at its start).</param>
    /// <param name="tokenBudget">Tokens the sequence may still generate, counting the end-of-generation token.</param>
    public TokenBudgetMatcher(GrammarMatcher matcher, int tokenBudget)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentOutOfRangeException.ThrowIfNegative(tokenBudget);
        Matcher = matcher;
        TokenBudget = tokenBudget;
    }

    public GrammarMatcher Matcher { get; }
    public int TokenBudget { get; }
    public int TokensLeft => TokenBudget - _used;

    /// <summary>True once the masks are narrowed to the shortest completion.</summary>
    public bool Steering => _steerFrom >= 0;

    public bool IsTerminated => Matcher.IsTerminated;

    public void FillNextTokenMask(Span<uint> bitmask)
    {
        if (Matcher.IsTerminated || (!Steering && TokensLeft > 2 * Matcher.ShortestCompletionLength() + Margin))
        {
            Matcher.FillNextTokenMask(bitmask);
            return;
        }
        var g = Matcher.Grammar;
        var words = TokenBitmask.WordCount(g.VocabSize);
        if (bitmask.Length < words)
            throw new ArgumentException($"The mask has {bitmask.Length} words but a vocabulary of {g.VocabSize} needs {words}", nameof(bitmask));
        bitmask.Clear();
        var rest = _rest;
        Matcher.ShortestCompletion(rest);
        var vocab = g.Vocabulary;
        if (rest.Count == 0)
        {
            foreach (var id in vocab.EndOfGeneration) TokenBitmask.Allow(bitmask, id);
            if (!Steering) _steerFrom = _used;
            return;
        }
        _prefixes.Clear();
        vocab.PrefixTokens(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rest), _prefixes);
        foreach (var i in _prefixes.Span) TokenBitmask.Allow(bitmask, vocab.Order[i]);
        if (_prefixes.Count > 0) { if (!Steering) _steerFrom = _used; }
        // A vocabulary without a token for that byte cannot be steered: keep the grammar's own mask.
        else Matcher.FillNextTokenMask(bitmask);
    }

    public bool Accept(int token)
    {
        if (!Matcher.Accept(token)) return false;
        _used++;
        return true;
    }

    public void Rollback(int tokens)
    {
        Matcher.Rollback(tokens);
        _used -= tokens;
        if (_steerFrom > _used) _steerFrom = -1;
    }

    public TokenBudgetMatcher Fork() => new(Matcher.Fork(), TokenBudget) { _used = _used, _steerFrom = _steerFrom };

    ITokenConstraint ITokenConstraint.Fork() => Fork();
}
