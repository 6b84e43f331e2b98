using System.Text;
using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Patterns;

/// <summary>
/// Converts a regex (the ECMAScript subset JSON Schema uses; see <see cref="RegexParser"/>) to GBNF.
/// Two uses: a whole output that must match the regex (<see cref="Convert"/>, the --regex option),
/// and the inside of a JSON string for a schema "pattern" (<see cref="JsonStringContent"/>), where
/// every character is written as JSON requires and the pattern is unanchored unless ^/$ say so.
/// </summary>
public static class RegexToGbnf
{
    /// <summary>A grammar whose root matches exactly the strings the regex fully matches.</summary>
    public static string Convert(string pattern)
    {
        var rules = new GbnfRuleSet();
        var emitter = new Emitter(pattern, json: false, bmpOnly: false);
        var branches = SplitAnchors(RegexParser.Parse(pattern), pattern);
        var alternatives = new List<string>();
        foreach (var b in branches) alternatives.Add(Sequence(emitter.Emit(b.Body)));
        rules.Add("root", Join(alternatives));
        return rules.ToString();
    }

    /// <summary>
    /// A GBNF expression (no quotes around it) for JSON string content whose decoded text the
    /// pattern matches somewhere, as JSON Schema's "pattern" does. <paramref name="anyChar"/> is
    /// the rule name for one unconstrained JSON string character, used for unanchored ends.
    /// </summary>
    public static string JsonStringContent(string pattern, string anyChar) =>
        JsonStringContent(RegexParser.Parse(pattern), pattern, anyChar, bmpOnly: false);

    /// <summary>As above, from a parsed (and possibly length-tightened) tree.</summary>
    public static string JsonStringContent(RegexNode node, string pattern, string anyChar, bool bmpOnly)
    {
        var emitter = new Emitter(pattern, json: true, bmpOnly);
        var alternatives = new List<string>();
        foreach (var b in SplitAnchors(node, pattern))
        {
            var parts = new List<string>();
            if (!b.StartAnchored) parts.Add(anyChar + "*");
            var body = emitter.Emit(b.Body);
            if (body.Length > 0) parts.Add(body);
            if (!b.EndAnchored) parts.Add(anyChar + "*");
            alternatives.Add(Sequence(string.Join(" ", parts)));
        }
        return Join(alternatives);
    }

    /// <summary>A top-level branch with its anchors taken off.</summary>
    public readonly record struct AnchoredBranch(RegexNode Body, bool StartAnchored, bool EndAnchored);

    /// <summary>
    /// Splits the top-level alternation and strips ^ and $ from the ends of each branch; anchors
    /// anywhere else are refused (they would need lookaround-like reasoning).
    /// </summary>
    public static List<AnchoredBranch> SplitAnchors(RegexNode root, string pattern)
    {
        var branches = root is RegexAlternation alt ? alt.Branches : [root];
        var result = new List<AnchoredBranch>(branches.Count);
        foreach (var branch in branches)
        {
            var parts = branch is RegexSequence seq ? seq.Parts.ToList() : [branch];
            bool start = false, end = false;
            while (parts.Count > 0 && parts[0] is RegexAnchor { Start: true }) { start = true; parts.RemoveAt(0); }
            while (parts.Count > 0 && parts[^1] is RegexAnchor { Start: false }) { end = true; parts.RemoveAt(parts.Count - 1); }
            foreach (var p in parts) RejectAnchors(p, pattern);
            var body = parts.Count == 1 ? parts[0] : new RegexSequence(parts);
            result.Add(new AnchoredBranch(body, start, end));
        }
        return result;
    }

    private static void RejectAnchors(RegexNode node, string pattern)
    {
        switch (node)
        {
            case RegexAnchor a:
                throw new RegexPatternException(pattern, a.Position,
                    "anchors (^, $) are supported only at the start and end of the pattern or of a top-level alternative");
            case RegexSequence s: foreach (var p in s.Parts) RejectAnchors(p, pattern); break;
            case RegexAlternation a: foreach (var b in a.Branches) RejectAnchors(b, pattern); break;
            case RegexRepeat r: RejectAnchors(r.Body, pattern); break;
        }
    }

    private static string Join(List<string> alternatives) =>
        alternatives.Count == 1 ? alternatives[0] : string.Join(" | ", alternatives);

    /// <summary>GBNF has no empty expression: an empty sequence is the empty literal.</summary>
    private static string Sequence(string s) => s.Length == 0 ? "\"\"" : s;

    private sealed class Emitter(string pattern, bool json, bool bmpOnly)
    {
        private static readonly CharRangeSet Bmp = CharRangeSet.Range(0, 0xFFFF).Intersect(CharRangeSet.All);

        /// <summary>Emits an expression; returns "" for the empty string.</summary>
        public string Emit(RegexNode node) => node switch
        {
            RegexChars c => Chars(c.Set),
            RegexSequence s => EmitSequence(s),
            RegexAlternation a => "( " + string.Join(" | ", a.Branches.Select(b => Sequence(Emit(b)))) + " )",
            RegexRepeat r => EmitRepeat(r),
            _ => throw new InvalidOperationException($"unexpected node {node.GetType().Name}"),
        };

        private string EmitSequence(RegexSequence s)
        {
            var parts = new List<string>();
            var run = new StringBuilder();
            foreach (var p in s.Parts)
            {
                // Runs of single characters become one literal: shorter grammar, same language.
                if (p is RegexChars c && c.Set.Ranges.Count == 1 && c.Set.Ranges[0].Lo == c.Set.Ranges[0].Hi && LiteralAllowed(c.Set.Ranges[0].Lo))
                {
                    run.Append(char.ConvertFromUtf32(c.Set.Ranges[0].Lo));
                    continue;
                }
                Flush();
                var e = Emit(p);
                if (e.Length > 0) parts.Add(e);
            }
            Flush();
            return string.Join(" ", parts);

            void Flush()
            {
                if (run.Length == 0) return;
                parts.Add(GbnfText.Literal(json ? JsonStringChars.Escape(run.ToString()) : run.ToString()));
                run.Clear();
            }
        }

        private string EmitRepeat(RegexRepeat r)
        {
            // ECMAScript's [] matches nothing, so []? and []* match only the empty string.
            if (r.Min == 0 && r.Body is RegexChars c && Allowed(c.Set).IsEmpty) return "";
            var body = Emit(r.Body);
            if (body.Length == 0 || r.Max == 0) return "";
            if (r.Min == 1 && r.Max == 1) return body;
            // Group unless the body is already one term (a literal, class or group).
            if (!IsSingleTerm(body)) body = "( " + body + " )";
            if (r.Min > GbnfRepeat.MaxBound)
                throw new RegexPatternException(pattern, 0, $"a repetition of at least {r.Min} is beyond the {GbnfRepeat.MaxBound} a grammar allows");
            return GbnfRepeat.Repeat(body, r.Min, r.Max);
        }

        private string Chars(CharRangeSet set)
        {
            var allowed = Allowed(set);
            if (allowed.IsEmpty)
                throw new RegexPatternException(pattern, 0, set.IsEmpty
                    ? "a character class matches no character"
                    : "characters outside the Basic Multilingual Plane are supported only as plain literals, not in classes or under quantifiers");
            return json ? JsonStringChars.Expression(allowed) : GbnfText.SetExpression(allowed);
        }

        /// <summary>
        /// Classes, '.' and quantified characters produce BMP characters only: validators built on
        /// UTF-16 regex engines (.NET, JavaScript without the u flag) see an astral character as two
        /// units, so '.' or [^a] would not match it there. Plain literal runs keep astral characters,
        /// which match the same text either way. With length bounds (bmpOnly) literals are BMP too.
        /// </summary>
        private CharRangeSet Allowed(CharRangeSet set) => set.Intersect(Bmp);

        private bool LiteralAllowed(int c) => !bmpOnly || c <= 0xFFFF;

        /// <summary>One term that a repetition operator can follow without parentheses.</summary>
        private static bool IsSingleTerm(string e)
        {
            if (HasTopLevelSpace(e)) return false;
            if (e[0] == '(') return MatchingParen(e) == e.Length - 1;
            return e[^1] is '"' or ']';
        }

        /// <summary>True if the expression has a space outside quotes, brackets and parentheses.</summary>
        private static bool HasTopLevelSpace(string e) => ScanOutsideLiterals(e, static (c, depth) => c == ' ' && depth == 0) >= 0;

        /// <summary>Index of the parenthesis that closes the one opening the expression, or -1.</summary>
        private static int MatchingParen(string e) => ScanOutsideLiterals(e, static (c, depth) => c == ')' && depth == 1);

        /// <summary>
        /// Index of the first character outside quoted literals and character classes (escapes skipped)
        /// for which <paramref name="stop"/> holds, given the parenthesis depth before it; -1 if none.
        /// </summary>
        private static int ScanOutsideLiterals(string e, Func<char, int, bool> stop)
        {
            int depth = 0;
            bool inQuote = false, inClass = false;
            for (int i = 0; i < e.Length; i++)
            {
                char c = e[i];
                if (c == '\\') { i++; continue; }
                if (inQuote) { if (c == '"') inQuote = false; continue; }
                if (inClass) { if (c == ']') inClass = false; continue; }
                if (c == '"') inQuote = true;
                else if (c == '[') inClass = true;
                else
                {
                    if (stop(c, depth)) return i;
                    if (c == '(') depth++;
                    else if (c == ')') depth--;
                }
            }
            return -1;
        }
    }
}
