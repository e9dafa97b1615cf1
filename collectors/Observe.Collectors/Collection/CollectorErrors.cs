using Observe.Collectors.Aws;

namespace Observe.Collectors.Collection;

/// <summary>Turns what a failed pass threw into the one line the status shows: what went wrong and in which account.</summary>
internal static class CollectorErrors
{
    public static string Describe(Exception error, CollectionTarget target) => error switch
    {
        // Retrying cannot help here, so the line says what to fix.
        AwsServiceException { IsCredentialError: true } aws =>
            $"Credentials expired, invalid or missing for {target}: {aws.Message}. Fix the account's credentials or role; passes keep failing until then.",
        AwsServiceException aws => aws.Message,
        _ when error.Message.Contains(target.AccountId, StringComparison.Ordinal) => $"{error.GetType().Name}: {error.Message}",
        _ => $"account {target.Account.DisplayName}, {target.Region}: {error.GetType().Name}: {error.Message}",
    };
}
