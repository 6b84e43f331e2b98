using Ponder.Engine.KvCache;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine;

/// <summary>The step: plan, run one forward pass, apply (sample, stream, finish).</summary>
public sealed partial class InferenceEngine
{
    /// <summary>Reused per-step buffers: no allocation per token in the loop beyond what events need.</summary>
    sealed class StepBuffers
    {
        public readonly List<(Sequence Seq, int Count)> Plan = new();
        public readonly List<int> Tokens = new(), Positions = new(), SeqIndex = new(), LogitRows = new();
        public readonly List<Sequence> Samplers = new();
        public readonly List<int[]> Tables = new();
        public float[] Logits = [];
        public float[] Row = [];
        public uint[] Mask = [];
    }

    List<(Sequence Seq, int Count)> Plan()
    {
        var plan = _buf.Plan;
        plan.Clear();
        long stamp = _steps + 1;
        int budget = _o.MaxBatchTokens;

        // Decode first: one token each, preempting the newest sequences if blocks run out.
        for (int i = 0; i < _running.Count && budget > 0; i++)
        {
            var s = _running[i];
            if (s.Pending != 1) continue;
            bool preemptedSelf = false;
            while (s.Table.BlocksNeeded(_pool, s.Computed + 1) > _pool.Available)
            {
                var victim = NewestUnplanned(stamp, except: s) ?? s;
                if (victim == s && _running.Count == 1)
                {
                    // Alone and still out of blocks: the cache cannot hold this sequence any longer.
                    Finish(s, FinishReason.Length);
                    preemptedSelf = true;
                    break;
                }
                Preempt(victim);
                if (victim == s) { preemptedSelf = true; break; }
                if (_running.IndexOf(s) < i) i = _running.IndexOf(s);
            }
            if (preemptedSelf) { i--; continue; }
            Schedule(s, 1, stamp);
            budget--;
        }

        // Then prefill chunks: sequences already running (chunked prefill in progress), then newcomers.
        for (int i = 0; i < _running.Count && budget > 0; i++)
        {
            var s = _running[i];
            if (s.Pending <= 1 || s.PlannedStep == stamp) continue;
            int chunk = Fit(s, Math.Min(s.Pending, budget));
            if (chunk <= 0) continue;
            Schedule(s, chunk, stamp);
            budget -= chunk;
        }
        while (_waiting.Count > 0 && budget > 0 && _running.Count < _o.MaxRunningSequences)
        {
            var s = _waiting[0];
            if (!s.PrefixLooked) ReuseCachedPrefix(s);
            int chunk = Fit(s, Math.Min(s.Pending, budget));
            if (chunk <= 0)
            {
                var idle = _paused.FindLast(x => x.Table.BlockCount > 0);
                if (idle == null) break; // no blocks now; it waits for others to finish
                Preempt(idle);
                continue;
            }
            _waiting.RemoveAt(0);
            s.State = SequenceState.Running;
            _running.Add(s);
            Schedule(s, chunk, stamp);
            budget -= chunk;
        }
        // Partial prefills can hold every block between them with none able to grow: free the newest.
        if (plan.Count == 0 && _running.Count > 1)
        {
            Preempt(_running[^1]);
            return Plan();
        }
        return plan;
    }

    /// <summary>How many of <paramref name="want"/> tokens fit in the blocks available now.</summary>
    int Fit(Sequence s, int want)
    {
        if (s.Table.BlocksNeeded(_pool, s.Computed + want) <= _pool.Available) return want;
        int B = _o.BlockTokens;
        bool cow = s.Computed % B != 0 && s.Table.BlockCount > 0 && _pool.RefCount(s.Table.Blocks[^1]) > 1;
        int capacity = (s.Table.BlockCount + _pool.Available - (cow ? 1 : 0)) * B - s.Computed;
        return Math.Min(want, capacity);
    }

    void Schedule(Sequence s, int count, long stamp)
    {
        if (!s.Table.TryReserve(_pool, _arena, s.Computed + count))
            throw new InvalidOperationException("KV reservation failed after the plan checked it"); // a bug, not a user error
        s.PlannedStep = stamp;
        _buf.Plan.Add((s, count));
    }

    Sequence? NewestUnplanned(long stamp, Sequence except)
    {
        // A paused session holds blocks nobody is using this step: give those up first.
        for (int i = _paused.Count - 1; i >= 0; i--)
            if (_paused[i].Table.BlockCount > 0) return _paused[i];
        for (int i = _running.Count - 1; i >= 0; i--)
        {
            var s = _running[i];
            if (s != except && s.PlannedStep != stamp && s.Table.BlockCount > 0) return s;
        }
        return null;
    }

    /// <summary>Frees a sequence's blocks and sends it back to the front of the queue; its tokens are kept
    /// and recomputed when it is scheduled again (vLLM's recompute preemption).</summary>
    void Preempt(Sequence s)
    {
        s.Table.Release(_pool);
        s.Computed = 0;
        s.PrefixLooked = false;
        _preemptions++;
        if (s.State == SequenceState.Paused) return; // stays paused; recomputed when continued
        s.State = SequenceState.Waiting;
        _running.Remove(s);
        _waiting.Insert(0, s);
    }

    void ReuseCachedPrefix(Sequence s)
    {
        s.PrefixLooked = true;
        if (!_o.PrefixCaching || s.Request.Request.NoPrefixCache || s.Computed > 0) return;
        int B = _o.BlockTokens;
        // At least one token must be computed to produce the logits to sample from.
        var hashes = BlockHash.Chain(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens)[..(s.Tokens.Count - 1)], B);
        var blocks = new List<int>();
        var matched = new List<ulong>();
        foreach (var h in hashes)
        {
            if (!_pool.TryReuse(h, out int b)) break;
            blocks.Add(b);
            matched.Add(h);
        }
        if (blocks.Count == 0) return;
        s.Table.AdoptCached(blocks, matched, B);
        s.Computed = blocks.Count * B;
        if (s.Generated == 0 && s.Index == 0)
        {
            int cached = Math.Min(s.Computed, s.Request.Request.Prompt.Count);
            s.Request.CachedPromptTokens += cached;
            _promptCached += cached;
        }
    }

    void Execute(List<(Sequence Seq, int Count)> plan)
    {
        var b = _buf;
        b.Tokens.Clear(); b.Positions.Clear(); b.SeqIndex.Clear(); b.LogitRows.Clear(); b.Samplers.Clear(); b.Tables.Clear();
        for (int k = 0; k < plan.Count; k++)
        {
            var (s, count) = plan[k];
            b.Tables.Add(s.Table.AsArray());
            for (int j = 0; j < count; j++)
            {
                b.Tokens.Add(s.Tokens[s.Computed + j]);
                b.Positions.Add(s.Computed + j);
                b.SeqIndex.Add(k);
            }
            if (s.Computed + count == s.Tokens.Count)
            {
                b.LogitRows.Add(b.Tokens.Count - 1);
                b.Samplers.Add(s);
            }
        }
        int V = VocabSize;
        if (b.Logits.Length < b.LogitRows.Count * V) b.Logits = new float[b.LogitRows.Count * V];
        var batch = new ForwardBatch
        {
            Tokens = b.Tokens.ToArray(),
            Positions = b.Positions.ToArray(),
            Seq = b.SeqIndex.ToArray(),
            BlockTables = b.Tables,
            LogitTokens = b.LogitRows.ToArray(),
        };
        _model.Forward(batch, _arena, b.Logits);
        _forwardTokens += batch.Count;

        foreach (var (s, count) in plan)
        {
            int prompt = s.Request.Request.Prompt.Count;
            int promptPart = Math.Max(0, Math.Min(prompt, s.Computed + count) - s.Computed);
            if (promptPart > 0 && s.Generated == 0)
            {
                s.Request.PromptTokensComputed += promptPart;
                _promptComputed += promptPart;
            }
            s.Computed += count;
            if (_o.PrefixCaching) s.Table.RegisterFullBlocks(_pool, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens), s.Computed);
        }
        for (int i = 0; i < b.Samplers.Count; i++)
        {
            var s = b.Samplers[i];
            if (s.State == SequenceState.Finished) continue;
            var row = b.Logits.AsSpan(i * V, V);
            if (s.PendingForks > 0) ForkChildren(s, row);
            SampleInto(s, row);
        }
    }

    /// <summary>n &gt; 1: the prompt was prefilled once; the other n-1 sequences share its blocks and
    /// sample their first token from the same logits, each with its own derived seed.</summary>
    void ForkChildren(Sequence parent, ReadOnlySpan<float> row)
    {
        var r = parent.Request;
        for (int i = 1; i <= parent.PendingForks; i++)
        {
            var child = NewSequence(r, i, new List<int>(parent.Tokens), SeedFor(r.Request, i));
            child.Table = parent.Table.Fork(_pool);
            child.Computed = parent.Computed;
            child.PrefixLooked = true;
            child.State = SequenceState.Running;
            _running.Add(child);
            SampleInto(child, row);
        }
        parent.PendingForks = 0;
    }

    void SampleInto(Sequence s, ReadOnlySpan<float> logits)
    {
        var req = s.Request.Request;
        if (s.Generated >= req.MaxTokens)
        {
            Finish(s, FinishReason.Length);
            return;
        }
        int V = VocabSize;
        if (_buf.Row.Length < V) _buf.Row = new float[V];
        var row = _buf.Row.AsSpan(0, V);
        logits.CopyTo(row);
        var top = req.Sampling.TopLogprobs > 0 ? new TokenLogprob[req.Sampling.TopLogprobs] : null;
        Span<uint> mask = default;
        if (s.Constraint != null)
        {
            int words = TokenBitmask.WordCount(V);
            if (_buf.Mask.Length < words) _buf.Mask = new uint[words];
            mask = _buf.Mask.AsSpan(0, words);
            s.Constraint.FillNextTokenMask(mask);
        }
        SampledToken st;
        try
        {
            st = s.Sampler.Sample(row, mask, top);
        }
        catch (SamplingException e)
        {
            Finish(s, FinishReason.Error, e.Message);
            return;
        }
        int tok = st.Id;
        if (s.Constraint != null && !s.Constraint.Accept(tok))
        {
            Finish(s, FinishReason.Error, $"the output constraint refused token {tok}, which its own mask allowed");
            return;
        }
        s.Generated++;
        s.Request.CompletionTokens++;
        _generated++;
        s.LogprobSum += st.Logprob;
        if (top != null && st.TopLogprobCount < top.Length) Array.Resize(ref top, st.TopLogprobCount);

        if (!req.IgnoreEos && _text?.IsEndOfGeneration(tok) == true)
        {
            Emit(s, new TokenEvent(s.Index, tok, "", st.Logprob, null, top));
            Finish(s, FinishReason.Stop);
            return;
        }
        s.Tokens.Add(tok);
        string piece = s.Decoder?.Push(tok) ?? "";
        string text = s.Stop.Push(piece);
        Emit(s, new TokenEvent(s.Index, tok, text, st.Logprob, null, top));
        if (s.Stop.Stopped || s.Constraint?.IsTerminated == true) Finish(s, FinishReason.Stop);
        else if (s.Generated >= req.MaxTokens || s.Tokens.Count >= ContextLength) Finish(s, FinishReason.Length);
    }

    static void Emit(Sequence s, TokenEvent e) => s.Request.Events.Writer.TryWrite(e);

    void Finish(Sequence s, FinishReason reason, string? error = null)
    {
        if (s.State == SequenceState.Finished) return;
        string tail = "";
        if (reason is FinishReason.Stop or FinishReason.Length)
            tail = s.Stop.Push(s.Decoder?.Flush() ?? "") + s.Stop.Flush();
        if (s.State == SequenceState.Waiting) _waiting.Remove(s); else _running.Remove(s);
        if (s.Persistent && reason is FinishReason.Stop or FinishReason.Length)
        {
            s.State = SequenceState.Paused; // keeps its blocks for the next turn or a fork
            _paused.Add(s);
        }
        else
        {
            s.Table.Release(_pool);
            s.State = SequenceState.Finished;
        }
        var r = s.Request;
        Emit(s, new TokenEvent(s.Index, -1, tail, 0, reason, null, error));
        int ended = 1;
        for (int i = 1; i <= s.PendingForks; i++, ended++) Emit(s, new TokenEvent(i, -1, "", 0, reason, null, error));
        s.PendingForks = 0;
        r.Live -= ended;
        if (r.Live == 0) _ended.Add(r);
    }

    /// <summary>Completes the requests that ended, once the counters that include their released blocks are
    /// published: a caller that sees its request done then reads <see cref="Stats"/> without racing the loop.</summary>
    void PublishAndCompleteEnded()
    {
        _stats = Snapshot();
        foreach (var r in _ended)
        {
            r.Events.Writer.TryComplete();
            r.Registration.Dispose();
            r.Done.TrySetResult(new RequestUsage(r.Request.Prompt.Count, r.CachedPromptTokens, r.CompletionTokens, r.PromptTokensComputed));
        }
        _ended.Clear();
    }
}
