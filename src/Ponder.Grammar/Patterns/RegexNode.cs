using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Patterns;

/// <summary>The parsed form of the regex subset that converts to GBNF.</summary>
public abstract record RegexNode;

/// <summary>One character drawn from a set (a literal, '.', a class or a class escape).</summary>
public sealed record RegexChars(CharRangeSet Set) : RegexNode;

/// <summary>Parts matched one after another; empty matches the empty string.</summary>
public sealed record RegexSequence(IReadOnlyList<RegexNode> Parts) : RegexNode;

/// <summary>Any one of the branches.</summary>
public sealed record RegexAlternation(IReadOnlyList<RegexNode> Branches) : RegexNode;

/// <summary>The body repeated Min to Max times (Max null: unbounded).</summary>
public sealed record RegexRepeat(RegexNode Body, int Min, int? Max) : RegexNode;

/// <summary>^ (Start) or $ (end); only meaningful at the ends of a top-level branch.</summary>
public sealed record RegexAnchor(bool Start, int Position) : RegexNode;
