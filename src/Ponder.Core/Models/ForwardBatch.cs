namespace Ponder.Models;

/// <summary>
/// The tokens of one forward pass, possibly from several sequences. Token i of sequence
/// Seq[i] sits at Positions[i]: its K/V are written to that slot of the sequence's block table
/// and it attends to slots 0..Positions[i]. Logits are produced for the tokens listed in
/// <see cref="LogitTokens"/>, in that order.
/// </summary>
public sealed class ForwardBatch
{
    public required int[] Tokens { get; init; }
    public required int[] Positions { get; init; }
    public required int[] Seq { get; init; }
    /// <summary>Per sequence: the KV block ids covering its positions, in order.</summary>
    public required IReadOnlyList<int[]> BlockTables { get; init; }
    public required int[] LogitTokens { get; init; }

    public int Count => Tokens.Length;

    /// <summary>One sequence, consecutive positions from <paramref name="start"/>, logits for the last token
    /// (or for every token when <paramref name="allLogits"/>).</summary>
    public static ForwardBatch Single(ReadOnlySpan<int> tokens, int start, int[] blockTable, bool allLogits)
    {
        int n = tokens.Length;
        var pos = new int[n];
        for (int i = 0; i < n; i++) pos[i] = start + i;
        int[] logits;
        if (allLogits)
        {
            logits = new int[n];
            for (int i = 0; i < n; i++) logits[i] = i;
        }
        else logits = [n - 1];
        return new ForwardBatch { Tokens = tokens.ToArray(), Positions = pos, Seq = new int[n], BlockTables = [blockTable], LogitTokens = logits };
    }
}
