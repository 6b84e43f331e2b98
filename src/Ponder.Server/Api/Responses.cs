using System.Text.Json.Serialization;

namespace Ponder.Server.Api;

// The OpenAI wire shapes this server writes (snake_case via ApiJson.Options).

public sealed record ModelList(IReadOnlyList<ModelCard> Data)
{
    public string Object => "list";
}

public sealed record ModelCard(string Id, long Created, string OwnedBy, int ContextLength)
{
    public string Object => "model";
}

public sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens, PromptTokensDetails PromptTokensDetails);

public sealed record PromptTokensDetails(int CachedTokens);

public sealed record TopLogprob(string Token, float Logprob, int[] Bytes);

public sealed record TokenLogprobInfo(string Token, float Logprob, int[] Bytes, IReadOnlyList<TopLogprob> TopLogprobs);

public sealed record ChoiceLogprobs(IReadOnlyList<TokenLogprobInfo> Content);

public sealed record ChatMessageOut(string Role, string? Content);

public sealed record ChatChoice(int Index, ChatMessageOut Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] ChoiceLogprobs? Logprobs,
    string FinishReason);

public sealed record ChatCompletion(string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    public string Object => "chat.completion";
    public string SystemFingerprint => "ponder";
}

public sealed record ChatDelta(string? Role, string? Content);

public sealed record ChatChunkChoice(int Index, ChatDelta Delta, ChoiceLogprobs? Logprobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record ChatCompletionChunk(string Id, long Created, string Model, IReadOnlyList<ChatChunkChoice> Choices, Usage? Usage)
{
    public string Object => "chat.completion.chunk";
    public string SystemFingerprint => "ponder";
}

/// <summary>Legacy completions logprobs: parallel arrays.</summary>
public sealed record TextLogprobs(List<string> Tokens, List<float> TokenLogprobs, List<Dictionary<string, float>> TopLogprobs, List<int> TextOffset);

public sealed record TextChoice(int Index, string Text,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] TextLogprobs? Logprobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason);

public sealed record TextCompletion(string Id, long Created, string Model, IReadOnlyList<TextChoice> Choices, Usage? Usage)
{
    public string Object => "text_completion";
    public string SystemFingerprint => "ponder";
}

public sealed record TokenizeResponse(int[] Tokens, int Count, int MaxModelLen, ulong[]? BlockHashes, string[]? Pieces);

public sealed record DetokenizeResponse(string Content);

public sealed record HealthResponse(string Status, string Model, int Running, int Waiting, int KvBlocksTotal, int KvBlocksUsed, long MemoryBytes, long GcHeapBytes);
