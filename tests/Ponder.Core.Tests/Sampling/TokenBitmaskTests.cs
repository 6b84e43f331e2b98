using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

public class TokenBitmaskTests
{
    [Fact]
    public void AllowAll_sets_exactly_the_vocabulary_bits()
    {
        var mask = new uint[4];
        mask[3] = 123;
        TokenBitmask.AllowAll(mask, 70);
        Assert.Equal([uint.MaxValue, uint.MaxValue, 0b111111u, 0u], mask);
        for (var i = 0; i < 70; i++) Assert.True(TokenBitmask.IsAllowed(mask, i));
    }

    [Fact]
    public void Apply_sets_disallowed_logits_to_negative_infinity_and_leaves_others()
    {
        var mask = new uint[2];
        TokenBitmask.Allow(mask, 3);
        TokenBitmask.Allow(mask, 40);
        var logits = new float[41];
        Array.Fill(logits, 1f);
        TokenBitmask.Apply(mask, logits);
        for (var i = 0; i < 41; i++) Assert.Equal(i is 3 or 40 ? 1f : float.NegativeInfinity, logits[i]);
        TokenBitmask.Disallow(mask, 3);
        Assert.False(TokenBitmask.IsAllowed(mask, 3));
    }
}
