using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>What a person fills in to create a silence, as typed.</summary>
/// <param name="Matchers">One <c>label=value</c> per line; a value may hold <c>*</c> and <c>?</c> globs.</param>
/// <param name="Ends">A duration from now (<c>2h</c>, <c>30m</c>, <c>1d</c>) or a UTC time (<c>2026-12-04 18:00</c>).</param>
/// <param name="Comment">Why: required, so whoever finds the silence later knows whether it may go.</param>
public sealed record SilenceDraft(string Matchers, string Ends, string Comment);

/// <summary>A created silence, or every problem of the draft, each naming its field.</summary>
public sealed record SilenceResult(Silence? Created, IReadOnlyList<string> Errors);
