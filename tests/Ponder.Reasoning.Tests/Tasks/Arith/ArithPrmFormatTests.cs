using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Reasoning.Tests.Tasks.Arith;

public class ArithPrmFormatTests
{
    [Fact]
    public void Each_line_is_followed_by_the_marker()
    {
        var lines = ArithPrmFormat.Lines("\n37+48=85\n85-19=66\n66*3=198\nanswer: 198");
        Assert.Equal(["37+48=85", "85-19=66", "66*3=198", "answer: 198"], lines);
        Assert.Equal("37+48-19*3\n37+48=85#\n85-19=66#\n66*3=198#\nanswer: 198#\n", ArithPrmFormat.Text("37+48-19*3", lines));
    }

    [Fact]
    public void A_marker_inside_a_line_is_dropped_so_markers_stay_one_per_line()
    {
        var lines = ArithPrmFormat.Lines("1+2=3#\nanswer: 3");
        Assert.Equal(["1+2=3", "answer: 3"], lines);
    }
}
