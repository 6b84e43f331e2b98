using System.Text;

namespace Ponder.Grammars.Generation;

/// <summary>
/// The rules of a GBNF grammar under construction. Rules with identical bodies share one name,
/// which keeps converted schemas small when the same sub-schema appears many times.
/// </summary>
public sealed class GbnfRuleSet
{
    private readonly Dictionary<string, string> _bodies = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nameOfBody = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _kept = new(StringComparer.Ordinal);

    public int Count => _order.Count;

    /// <summary>
    /// Names that <see cref="Add"/> and <see cref="Reserve"/> never hand out (they number around
    /// them); only <see cref="AddExact"/> defines them. Keeps user-chosen names (a property
    /// called "string") from taking a fixed rule's name.
    /// </summary>
    public void KeepNames(IEnumerable<string> names)
    {
        foreach (var n in names) _kept.Add(n);
    }

    public bool Contains(string name) => _bodies.ContainsKey(name);

    /// <summary>True for a name reserved by <see cref="Reserve"/> and not yet defined.</summary>
    public bool IsPending(string name) => _bodies.TryGetValue(name, out var body) && body.Length == 0;

    /// <summary>
    /// Adds a rule under <paramref name="name"/> (made GBNF-safe), or under a numbered variant of it
    /// when the name is taken by another body. Returns the name actually used.
    /// </summary>
    public string Add(string name, string body)
    {
        name = SafeName(name);
        if (name != "root" && _nameOfBody.TryGetValue(body, out var shared)) return shared;
        for (int i = 0; ; i++)
        {
            var candidate = i == 0 ? name : name + "-" + i;
            if (_kept.Contains(candidate)) continue;
            if (!_bodies.TryGetValue(candidate, out var existing))
            {
                Set(candidate, body);
                return candidate;
            }
            if (existing == body) return candidate;
        }
    }

    /// <summary>Adds a rule under exactly <paramref name="name"/>, which must be free.</summary>
    public void AddExact(string name, string body)
    {
        if (_bodies.ContainsKey(name)) throw new InvalidOperationException($"Rule '{name}' is already defined.");
        Set(name, body);
    }

    /// <summary>Reserves a name whose body is set later (for recursive references).</summary>
    public string Reserve(string name, bool exact = false)
    {
        if (exact)
        {
            AddExact(name, "");
            return name;
        }
        name = SafeName(name);
        var candidate = name;
        for (int i = 1; _bodies.ContainsKey(candidate) || _kept.Contains(candidate); i++) candidate = name + "-" + i;
        _bodies[candidate] = "";
        _order.Add(candidate);
        return candidate;
    }

    /// <summary>Gives a reserved rule its body.</summary>
    public void Define(string reservedName, string body)
    {
        if (!_bodies.TryGetValue(reservedName, out var existing) || existing.Length != 0)
            throw new InvalidOperationException($"Rule '{reservedName}' was not reserved or is already defined.");
        _bodies[reservedName] = body;
        _nameOfBody.TryAdd(body, reservedName);
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        // root first, then the rest in the order they were made: easier to read.
        if (_bodies.TryGetValue("root", out var root)) sb.Append("root ::= ").Append(root).Append('\n');
        foreach (var name in _order)
        {
            if (name == "root") continue;
            sb.Append(name).Append(" ::= ").Append(_bodies[name]).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>GBNF rule names are [a-zA-Z0-9-]+: anything else becomes '-'.</summary>
    public static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            bool ok = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9';
            if (ok) sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        while (sb.Length > 0 && sb[^1] == '-') sb.Length--;
        return sb.Length == 0 ? "r" : sb.ToString();
    }

    private void Set(string name, string body)
    {
        if (!_bodies.ContainsKey(name)) _order.Add(name);
        _bodies[name] = body;
        _nameOfBody.TryAdd(body, name);
    }
}
