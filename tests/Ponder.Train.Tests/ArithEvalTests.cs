namespace Ponder.Train.Tests;

public class ArithEvalTests
{
    [Fact]
    public void Auroc_is_the_probability_a_right_step_outscores_a_wrong_one()
    {
        Assert.Equal(1.0, ArithEval.Auroc([(0.9f, true), (0.8f, true), (0.1f, false)]));
        Assert.Equal(0.0, ArithEval.Auroc([(0.1f, true), (0.9f, false)]));
        Assert.Equal(0.5, ArithEval.Auroc([(0.5f, true), (0.5f, false)]));          // a tie counts half
        Assert.Equal(0.5, ArithEval.Auroc([(0.9f, true), (0.2f, true), (0.5f, false)]), 9);
        Assert.True(double.IsNaN(ArithEval.Auroc([(0.9f, true)])));
    }

    [Fact]
    public void Majority_ignores_missing_answers_and_breaks_ties_by_first_seen()
    {
        Assert.Equal(5L, ArithEval.Majority([null, 5, 7, 5, null, null]));
        Assert.Equal(7L, ArithEval.Majority([7, 5, 5, 7]));
        Assert.Null(ArithEval.Majority([null, null]));
    }
}
