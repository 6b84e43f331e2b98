using System.Text.Json;

namespace Ponder.Cli.Tests;

public class AskCliTests
{
    /// <summary><c>auto</c> may hand the question to a verifier-guided strategy, so <c>ask</c> loads the shipped PRM for it
    /// as it does for those strategies (it once failed with "needs a verifier" unless --prm was given).</summary>
    [Fact]
    public void Auto_gets_the_shipped_verifier_when_its_policy_picks_a_verifier_strategy()
    {
        using var d = new TempDir();
        // Every difficulty bin picks best-of-n, which cannot run without a verifier.
        File.WriteAllText(d.File("policy.json"), """
            {"probe_samples": 2, "bins": [{"bin": 0, "min_agreement": 0, "by_budget": {"4": "best-of-n"}, "problems": 1}], "fallback": "best-of-n"}
            """);
        var (code, output, err) = Ponder.RunWithOutput("ask", "37+48-19*3", "-s", "auto", "-n", "4", "-t", "1", "--json", "--auto-policy", d.File("policy.json"));
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("auto", doc.RootElement.GetProperty("strategy").GetString());
        Assert.True(doc.RootElement.GetProperty("ledger").GetProperty("verifier_tokens_computed").GetInt64() > 0, output);
    }
}
