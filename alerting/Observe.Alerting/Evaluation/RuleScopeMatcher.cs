using System.IO.Enumeration;
using Observe.Alerting.Rules;
using Observe.Store.Model;

namespace Observe.Alerting.Evaluation;

/// <summary>Whether a function, an account and region, or an alarm falls in a rule's scope.</summary>
internal static class RuleScopeMatcher
{
    /// <summary>
    /// The account and region filter one store read can use for <paramref name="scope"/>: the one account (region) it
    /// names, or all when it names several or none; the rest of the scope is matched in memory.
    /// </summary>
    public static FleetFilter StoreFilter(RuleScope scope) =>
        new(scope.Accounts.Count == 1 ? scope.Accounts[0] : null, scope.Regions.Count == 1 ? scope.Regions[0] : null);

    public static bool MatchesPlace(RuleScope scope, string accountId, string region) =>
        (scope.Accounts.Count == 0 || scope.Accounts.Contains(accountId, StringComparer.Ordinal))
        && (scope.Regions.Count == 0 || scope.Regions.Contains(region, StringComparer.Ordinal));

    /// <summary>Whether the scope says anything about functions beyond their account and region.</summary>
    public static bool NamesFunctions(RuleScope scope) => scope.Functions.Count > 0 || scope.Runtimes.Count > 0 || scope.Tags.Count > 0;

    /// <summary>
    /// Whether the function is in scope. Without its inventory entry (<paramref name="function"/> null) a scope on
    /// runtimes or tags cannot be decided and does not match: such a rule speaks only of functions it can see.
    /// </summary>
    public static bool Matches(RuleScope scope, FunctionKey key, LambdaFunction? function)
    {
        if (!MatchesPlace(scope, key.AccountId, key.Region))
        {
            return false;
        }

        if (scope.Functions.Count > 0 && !scope.Functions.Any(pattern => FileSystemName.MatchesSimpleExpression(pattern, key.Name, ignoreCase: false)))
        {
            return false;
        }

        if (scope.Runtimes.Count > 0 && (function?.Runtime is not { } runtime || !scope.Runtimes.Any(r => runtime.StartsWith(r, StringComparison.Ordinal))))
        {
            return false;
        }

        return scope.Tags.Count == 0
            || (function is not null && scope.Tags.All(tag => function.Tags.TryGetValue(tag.Key, out var value) && value == tag.Value));
    }
}
