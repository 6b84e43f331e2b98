namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>
/// One problem of the <c>arith</c> family: k+1 integers joined by k operators from <c>+ - *</c>,
/// written without spaces and evaluated strictly left to right (no precedence):
/// <c>37+48-19*3</c> = ((37+48)-19)*3 = 198.
/// </summary>
public sealed record ArithProblem
{
    /// <summary>The first number, then one (operator, operand) per step.</summary>
    public int First { get; }
    public IReadOnlyList<char> Ops { get; }
    public IReadOnlyList<int> Operands { get; }
    public string Question { get; }
    public long Answer { get; }
    public int Steps => Ops.Count;

    public ArithProblem(int first, IReadOnlyList<char> ops, IReadOnlyList<int> operands)
    {
        if (ops.Count != operands.Count) throw new ArgumentException($"{ops.Count} operators but {operands.Count} operands");
        if (ops.Count == 0) throw new ArgumentException("a problem has at least one step");
        foreach (var op in ops)
            if (op is not ('+' or '-' or '*')) throw new ArgumentException($"operator '{op}' is not one of + - *");
        First = first;
        Ops = [.. ops];
        Operands = [.. operands];
        var sb = new System.Text.StringBuilder().Append(first);
        for (int i = 0; i < ops.Count; i++) sb.Append(ops[i]).Append(operands[i]);
        Question = sb.ToString();
        long v = first;
        for (int i = 0; i < ops.Count; i++) v = Apply(v, ops[i], operands[i]);
        Answer = v;
    }

    /// <summary>The value after each step (index i = after step i+1), left to right.</summary>
    public long[] Intermediates()
    {
        var r = new long[Steps];
        long v = First;
        for (int i = 0; i < Steps; i++) r[i] = v = Apply(v, Ops[i], Operands[i]);
        return r;
    }

    public static long Apply(long a, char op, long b) => op switch
    {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => throw new ArgumentException($"operator '{op}' is not one of + - *"),
    };

    /// <summary>Parses a question such as <c>37+48-19*3</c> (non-negative numbers, no spaces).</summary>
    public static ArithProblem Parse(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var ops = new List<char>();
        var nums = new List<int>();
        int i = 0;
        int ReadNumber()
        {
            int start = i;
            while (i < question.Length && char.IsAsciiDigit(question[i])) i++;
            if (i == start || i - start > 6) throw new FormatException($"'{question}' is not an arith question: expected a number at offset {start}");
            return int.Parse(question.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture);
        }
        int first = ReadNumber();
        while (i < question.Length)
        {
            char op = question[i++];
            if (op is not ('+' or '-' or '*')) throw new FormatException($"'{question}' is not an arith question: '{op}' at offset {i - 1} is not one of + - *");
            ops.Add(op);
            nums.Add(ReadNumber());
        }
        if (ops.Count == 0) throw new FormatException($"'{question}' is not an arith question: it has no operator");
        return new ArithProblem(first, ops, nums);
    }

    /// <summary>The reference chain of thought: one step per line, then the answer line.</summary>
    public string Solution() => ArithSolution.Format(this);

    public override string ToString() => $"{Question} = {Answer}";
}
