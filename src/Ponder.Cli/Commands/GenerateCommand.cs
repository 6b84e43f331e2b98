using System.CommandLine;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Grammars;
using Ponder.Models;
using Ponder.Tokenizers;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder generate -m MODEL -p TEXT [-n 64] [--temp 0] [--seed S] [--n K] [--json]
/// [--grammar FILE.gbnf | --json-schema FILE.json | --regex R]</c>: streams the completion to stdout; with
/// <c>--n K</c> the prompt is prefilled once and K completions are sampled from forks of it. <c>--json</c>
/// prints one object with text, token ids, finish reason and usage. With a grammar every completion is a
/// string of it: as the token limit nears, the output is steered to the grammar's shortest completion
/// (<see cref="TokenBudgetMatcher"/>), and -n defaults to the rest of the context instead of 64 so the model
/// has room. Should a completion still be cut off (finish reason "length"), a warning goes to stderr.
/// </summary>
public static class GenerateCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text", Required = true };
        var maxTokens = new Option<int>("--max-tokens", "-n") { Description = "Tokens to generate (default 64; with a grammar, the rest of the context)", DefaultValueFactory = _ => 64 };
        var samples = new Option<int>("--n", "--samples") { Description = "Completions to sample from one prefill", DefaultValueFactory = _ => 1 };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Do not stop at end-of-generation tokens" };
        var stop = new Option<string[]>("--stop") { Description = "Stop strings", AllowMultipleArgumentsPerToken = false };
        var kvMemory = new Option<string?>("--kv-memory") { Description = "KV cache size, e.g. 512MiB (default: what the request needs)" };
        var sampling = new SamplingOptions();
        var cmd = new Command("generate", "Generate text from a prompt")
        {
            model, threads, prompt, maxTokens, samples, ignoreEos, stop, kvMemory, json,
        };
        sampling.AddTo(cmd);
        var grammar = new GrammarOptions();
        grammar.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            int n = r.GetValue(samples), max = r.GetValue(maxTokens);
            if (n < 1) throw new ArgumentException($"--n must be at least 1, got {n}");
            if (max < 0) throw new ArgumentException($"-n must not be negative, got {max}");
            var p = sampling.Read(r);
            // --json reports each completion's mean logprob, which the sampler computes only when asked.
            if (r.GetValue(json)) p = p with { Logprobs = true };
            // The constraint is read and converted before the model loads, so a bad schema fails fast.
            var gbnf = grammar.ReadGbnf(r);
            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            var tok = Tokenizer.FromGguf(m.File.Metadata);
            var ids = tok.Encode(r.GetValue(prompt)!);
            if (ids.Length == 0) throw new ArgumentException("the prompt is empty after tokenization");
            var compiled = gbnf is { } g ? GrammarCompiler.Shared.Compile(g.Gbnf, tok) : null;
            // A cut-off JSON value is not JSON: with a grammar, let the model run to the end of the context
            // unless -n was given.
            if (compiled != null && r.GetResult(maxTokens) is null or { Implicit: true })
                max = Math.Max(0, m.Config.ContextLength - ids.Length);
            int needTokens = Math.Min(m.Config.ContextLength, ids.Length + max + 1);
            var options = new EngineOptions
            {
                KvTokens = r.GetValue(kvMemory) is { } mem ? 0 : n * needTokens + 16 * (n + 1),
                KvMemoryBytes = r.GetValue(kvMemory) is { } s ? EngineOptions.ParseBytes(s) : 1,
                MaxN = Math.Max(n, 1),
            };
            using var engine = new InferenceEngine(m, new TokenizerText(tok), options);
            var request = new GenerationRequest
            {
                Prompt = ids, Sampling = p, MaxTokens = max, N = n,
                IgnoreEos = r.GetValue(ignoreEos), Stop = r.GetValue(stop) ?? [],
                // The budget steers the output to a complete string of the grammar before the tokens run out.
                Constraint = compiled is null ? null
                    : new TokenBudgetMatcher(compiled.CreateMatcher(), Math.Min(max, m.Config.ContextLength - ids.Length)),
            };
            var handle = engine.Submit(request, ct);
            bool asJson = r.GetValue(json);
            if (!asJson && n == 1)
            {
                FinishReason? finish = null;
                await foreach (var e in handle.Events(ct))
                {
                    Console.Write(e.Text);
                    if (e.Finish is { } f) finish = f;
                }
                Console.WriteLine();
                await handle.Usage;
                if (finish == FinishReason.Length && gbnf is { } lg) WarnTruncated(lg.Label, max);
                return 0;
            }
            var result = await handle.CollectAsync(ct);
            if (result.Error != null) throw new PonderException(result.Error);
            if (gbnf is { } label && result.Sequences.Any(s => s.Finish == FinishReason.Length)) WarnTruncated(label.Label, max);
            if (asJson)
            {
                var first = result.Sequences[0];
                var obj = new Dictionary<string, object?>
                {
                    ["text"] = first.Text,
                    ["token_ids"] = first.Tokens,
                    ["finish_reason"] = FinishName(first.Finish),
                    ["prompt_token_ids"] = ids,
                    ["usage"] = new Dictionary<string, int>
                    {
                        ["prompt_tokens"] = result.Usage.PromptTokens,
                        ["completion_tokens"] = result.Usage.CompletionTokens,
                        ["prompt_tokens_computed"] = result.Usage.PromptTokensComputed,
                    },
                };
                if (n > 1)
                    obj["completions"] = result.Sequences.Select(s => new { text = s.Text, token_ids = s.Tokens, finish_reason = FinishName(s.Finish), mean_logprob = s.MeanLogprob }).ToArray();
                Console.WriteLine(JsonSerializer.Serialize(obj));
                return 0;
            }
            for (int i = 0; i < n; i++)
            {
                Console.WriteLine($"--- completion {i + 1}/{n} ({FinishName(result.Sequences[i].Finish)})");
                Console.WriteLine(result.Sequences[i].Text);
            }
            return 0;
        });
        return cmd;
    }

    static void WarnTruncated(string constraint, int max) =>
        Console.Error.WriteLine($"warning: the output stopped at the token limit ({max}) before the {constraint} was complete, so it does not match it; raise -n");

    public static string FinishName(FinishReason f) => f switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Cancelled => "cancelled",
        _ => "error",
    };
}
