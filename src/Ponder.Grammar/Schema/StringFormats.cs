using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Schema;

/// <summary>
/// Grammars for the string formats that are checked by validators (date, time, date-time, uuid,
/// email, uri, hostname, ipv4, ipv6). Each is a practical subset of its RFC: every string it
/// produces is valid, not every valid string can be produced. Unknown formats are plain strings.
/// </summary>
internal static class StringFormats
{
    private const string Hex = "[0-9a-fA-F]";
    private const string Alnum = "[a-zA-Z0-9]";

    public static bool IsKnown(string format) => Lengths(format) != default || format is "email" or "uri" or "uri-reference" or "iri" or "hostname";

    /// <summary>Shortest and longest string of the format (Max null: unbounded); default for unknown formats.</summary>
    public static (int Min, int? Max) Lengths(string format) => format switch
    {
        "date" => (10, 10),
        "time" => (9, 18),
        "date-time" => (20, 29),
        "uuid" or "guid" => (36, 36),
        "ipv4" => (7, 15),
        "ipv6" => (15, 39),
        "email" => (5, null),
        "uri" or "uri-reference" or "iri" => (8, null),
        "hostname" => (1, null),
        _ => default,
    };

    /// <summary>Adds the format's rules (string content, without quotes) and returns its rule name.</summary>
    public static string Rule(string format, GbnfRuleSet rules)
    {
        switch (format)
        {
            case "date":
                // Days are checked against the month (validators parse the date); 29 February is left out
                // rather than checking leap years. Years start at 1000: year 0 is not a valid date in .NET.
                return rules.Add("date",
                    "[1-9] [0-9]{3} \"-\" ( ( \"0\" [13578] | \"1\" [02] ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"3\" [01] )"
                    + " | ( \"0\" [469] | \"11\" ) \"-\" ( \"0\" [1-9] | [12] [0-9] | \"30\" )"
                    + " | \"02-\" ( \"0\" [1-9] | \"1\" [0-9] | \"2\" [0-8] ) )");
            case "time":
                // RFC 3339 full-time: an offset is required; offsets stay within ±13:59 (.NET's range is ±14:00).
                return rules.Add("time",
                    "( [01] [0-9] | \"2\" [0-3] ) \":\" [0-5] [0-9] \":\" [0-5] [0-9] ( \".\" [0-9]{1,3} )?"
                    + " ( \"Z\" | [+\\-] ( \"0\" [0-9] | \"1\" [0-3] ) \":\" [0-5] [0-9] )");
            case "date-time":
                return rules.Add("date-time", $"{Rule("date", rules)} \"T\" {Rule("time", rules)}");
            case "uuid" or "guid":
                return rules.Add("uuid", $"{Hex}{{8}} \"-\" {Hex}{{4}} \"-\" {Hex}{{4}} \"-\" {Hex}{{4}} \"-\" {Hex}{{12}}");
            case "ipv4":
                var octet = rules.Add("ipv4-octet", "\"25\" [0-5] | \"2\" [0-4] [0-9] | \"1\" [0-9]{2} | [1-9] [0-9] | [0-9]");
                return rules.Add("ipv4", $"{octet} \".\" {octet} \".\" {octet} \".\" {octet}");
            case "ipv6":
                // The full eight-group form only; "::" compression is not produced.
                return rules.Add("ipv6", $"{Hex}{{1,4}} ( \":\" {Hex}{{1,4}} ){{7}}");
            case "hostname":
                return rules.Add("hostname", $"{Label(rules)} ( \".\" {Label(rules)} )*");
            case "email":
                // The dot-atom form every email validator accepts (no quoted local parts, no IP literals).
                var atom = rules.Add("email-atom", "[a-zA-Z0-9!#$%&'*+/=?\\x5E_`{|}~\\-]+");
                return rules.Add("email", $"{atom} ( \".\" {atom} )* \"@\" {Label(rules)} ( \".\" {Label(rules)} )+");
            case "uri" or "uri-reference" or "iri":
                // scheme://host[:port][/path][?query][#fragment] with unreserved and sub-delim characters only,
                // so no percent-escape can be malformed.
                const string pchar = "[a-zA-Z0-9\\-._~!$&'()*+,;=:@]";
                return rules.Add("uri",
                    $"[a-zA-Z] [a-zA-Z0-9+.\\-]{{0,15}} \"://\" {Rule("hostname", rules)} ( \":\" [1-9] [0-9]{{0,3}} )?"
                    + $" ( \"/\" {pchar}* )* ( \"?\" ( {pchar} | [/?] )* )? ( \"#\" ( {pchar} | [/?] )* )?");
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown format");
        }
    }

    /// <summary>A DNS label: letters, digits and inner hyphens, at most 63 characters.</summary>
    private static string Label(GbnfRuleSet rules) =>
        rules.Add("dns-label", $"{Alnum} ( [a-zA-Z0-9\\-]{{0,61}} {Alnum} )?");
}
