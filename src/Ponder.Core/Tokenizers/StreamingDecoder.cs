using System.Buffers;
using System.Text;

namespace Ponder.Tokenizers;

/// <summary>Incremental detokenization for one sequence: feed ids, get the text they complete. Bytes of a UTF-8
/// character split across tokens (byte-fallback <c>&lt;0xNN&gt;</c> or byte-level BPE pieces) are held back until
/// the character is whole, so no piece ever holds half a character; concatenating every piece and
/// <see cref="Flush"/> gives exactly <see cref="Tokenizer.Decode(ReadOnlySpan{int}, bool)"/>.</summary>
public sealed class StreamingDecoder
{
    readonly Tokenizer _tokenizer;
    readonly bool _renderSpecial;
    byte[] _pending = new byte[4];
    int _pendingCount;
    bool _started;

    internal StreamingDecoder(Tokenizer tokenizer, bool renderSpecial)
    {
        _tokenizer = tokenizer;
        _renderSpecial = renderSpecial;
    }

    /// <summary>Bytes received but not yet returned because they end in an incomplete character.</summary>
    public int PendingBytes => _pendingCount;

    /// <summary>An independent copy (same pending bytes), for a sequence that forks.</summary>
    public StreamingDecoder Clone() => new(_tokenizer, _renderSpecial)
    {
        _pending = (byte[])_pending.Clone(),
        _pendingCount = _pendingCount,
        _started = _started,
    };

    /// <summary>Adds one token; returns the text it completes (possibly empty).</summary>
    public string Append(int id) => Append([id]);

    /// <summary>Adds tokens; returns the text they complete (possibly empty).</summary>
    public string Append(ReadOnlySpan<int> ids)
    {
        var buf = new ArrayBufferWriter<byte>(_pendingCount + ids.Length * 8);
        buf.Write(_pending.AsSpan(0, _pendingCount));
        foreach (int id in ids)
        {
            var p = _tokenizer.Piece(id, _renderSpecial).AsSpan();
            if (p.IsEmpty) continue;
            if (!_started)
            {
                _started = true;
                if (_tokenizer.AddSpacePrefix && p[0] == (byte)' ') p = p[1..];
            }
            buf.Write(p);
        }
        var bytes = buf.WrittenSpan;
        var sb = new StringBuilder(bytes.Length);
        int pos = 0;
        while (pos < bytes.Length)
        {
            var status = Rune.DecodeFromUtf8(bytes[pos..], out var rune, out int used);
            if (status == OperationStatus.NeedMoreData) break; // a valid prefix of a character: wait for the rest
            sb.Append(status == OperationStatus.Done ? rune : Rune.ReplacementChar);
            pos += used;
        }
        _pendingCount = bytes.Length - pos;
        if (_pending.Length < _pendingCount) _pending = new byte[_pendingCount];
        bytes[pos..].CopyTo(_pending);
        return sb.ToString();
    }

    /// <summary>Ends the sequence: an incomplete character left over becomes U+FFFD.</summary>
    public string Flush()
    {
        var s = _pendingCount == 0 ? "" : Encoding.UTF8.GetString(_pending, 0, _pendingCount);
        _pendingCount = 0;
        return s;
    }
}
