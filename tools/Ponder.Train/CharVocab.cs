using Ponder.Models;

namespace Ponder.Train;

/// <summary>
/// The character-level SentencePiece-style vocabulary shared by the policy and the verifier:
/// <c>&lt;unk&gt;</c>, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, the 256 byte-fallback tokens <c>&lt;0x00&gt;</c>..<c>&lt;0xFF&gt;</c>
/// (so any text tokenizes), then one piece per character the task writes. Every piece is one
/// character, so there are no merges: SentencePiece (llama.cpp's and Ponder's) maps each character
/// to its piece and anything else to its UTF-8 bytes. Newline is left to the byte token
/// <c>&lt;0x0A&gt;</c> as in Llama 2's vocabulary; space is the SentencePiece piece ▁.
/// </summary>
public static class CharVocab
{
    public const int Unk = 0, Bos = 1, Eos = 2, FirstByte = 3;
    /// <summary>The marker after a step at which the verifier predicts its verdict.</summary>
    public const char Marker = '#';
    public const char Good = '+', Bad = '-';

    /// <summary>Digits, operators, '=', ':', the letters of "answer", space (▁) and the verifier's marker.</summary>
    public static readonly string Chars = "0123456789+-*=:answer\u2581#";

    public static readonly string[] Tokens;
    public static readonly float[] Scores;
    public static readonly int[] Types;
    static readonly Dictionary<char, int> CharIds = [];

    static CharVocab()
    {
        var t = new List<string> { "<unk>", "<s>", "</s>" };
        var ty = new List<int> { RandomModelVocab.Unknown, RandomModelVocab.Control, RandomModelVocab.Control };
        for (int b = 0; b < 256; b++) { t.Add($"<0x{b:X2}>"); ty.Add(RandomModelVocab.Byte); }
        foreach (char c in Chars.Distinct())
        {
            CharIds[c == '\u2581' ? ' ' : c] = t.Count;
            t.Add(c.ToString());
            ty.Add(RandomModelVocab.Normal);
        }
        Tokens = [.. t];
        Types = [.. ty];
        Scores = new float[Tokens.Length];
        for (int i = FirstByte + 256; i < Tokens.Length; i++) Scores[i] = -(i - FirstByte - 256);
    }

    public static int Size => Tokens.Length;

    /// <summary>The token of one character of task text (byte fallback for anything else).</summary>
    public static void Append(List<int> ids, string text)
    {
        foreach (var r in text.EnumerateRunes())
        {
            if (r.IsBmp && CharIds.TryGetValue((char)r.Value, out int id)) { ids.Add(id); continue; }
            Span<byte> buf = stackalloc byte[4];
            int n = r.EncodeToUtf8(buf);
            for (int i = 0; i < n; i++) ids.Add(FirstByte + buf[i]);
        }
    }

    public static int[] Encode(string text, bool bos = true)
    {
        var ids = new List<int>();
        if (bos) ids.Add(Bos);
        Append(ids, text);
        return [.. ids];
    }

    public static int Id(char c) => CharIds[c];

    /// <summary>A ChatML-like template reduced to what the models were trained on: a user turn is the
    /// question as is (the model writes the newline that starts its solution), an assistant turn is
    /// its text followed by the end-of-sequence token.</summary>
    public const string ChatTemplate =
        "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ message['content'] }}" +
        "{% elif message['role'] == 'assistant' %}{{ message['content'] }}{{ eos_token }}{% endif %}{% endfor %}";
}
