using System.Text;
using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Schema;

/// <summary>
/// The key of an additional property: any JSON string except the declared property names, so an
/// extra key can never repeat (or shadow) a declared one. Built as a trie of the names, the way
/// llama.cpp's _not_strings does, with two differences: a proper prefix of a name is allowed
/// (it is a different key), and where the key leaves the trie the next character must be written
/// plainly, since an escape such as \u0061 could spell the very character the trie excludes.
/// </summary>
internal static class KeyExclusion
{
    private static readonly CharRangeSet PlainChars = CharRangeSet.All
        .Except(CharRangeSet.Range(0, 0x1F))
        .Except(CharRangeSet.FromRanges(('"', '"'), ('\\', '\\')));

    /// <summary>GBNF for a quoted key (with trailing whitespace <paramref name="sp"/>) that is none of <paramref name="names"/>.</summary>
    public static string Expression(IEnumerable<string> names, string anyChar, string sp)
    {
        var root = new Node();
        foreach (var name in names)
        {
            var node = root;
            foreach (var rune in name.EnumerateRunes())
            {
                if (!node.Children.TryGetValue(rune.Value, out var child))
                    node.Children[rune.Value] = child = new Node();
                node = child;
            }
            node.IsName = true;
        }
        if (root.Children.Count == 0 && !root.IsName)
            return $"\"\\\"\" {anyChar}* \"\\\"\"{sp}";
        return $"\"\\\"\" {Visit(root, anyChar)} \"\\\"\"{sp}";
    }

    private static string Visit(Node node, string anyChar)
    {
        var alternatives = new List<string>();
        var leave = PlainChars;
        foreach (var (c, child) in node.Children.OrderBy(kv => kv.Key))
        {
            leave = leave.Except(CharRangeSet.Single(c));
            var edge = JsonStringChars.Expression(CharRangeSet.Single(c));
            alternatives.Add(edge + " " + Visit(child, anyChar));
        }
        if (!leave.IsEmpty) alternatives.Add(GbnfText.CharClass(leave) + " " + anyChar + "*");
        var sb = new StringBuilder("( ");
        sb.AppendJoin(" | ", alternatives).Append(" )");
        // Ending here is fine unless the text so far is one of the names.
        if (!node.IsName) sb.Append('?');
        return sb.ToString();
    }

    private sealed class Node
    {
        public Dictionary<int, Node> Children { get; } = [];
        public bool IsName { get; set; }
    }
}
