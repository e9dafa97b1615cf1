namespace Observe.Alerting.Channels;

/// <summary>
/// Secrets shown back masked: enough to tell two channels apart (<c>https://hooks.slack.com/services/T0…/****</c>),
/// never enough to use them.
/// </summary>
internal static class SecretMask
{
    /// <summary>
    /// The scheme, host and first path segment, the first two characters of the second segment, then <c>****</c>. The
    /// query is dropped: Teams workflow URLs carry their signature there.
    /// </summary>
    public static string Url(string? url)
    {
        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "(not set)";
        }

        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var shown = $"{uri.Scheme}://{uri.Authority}";
        return segments.Length switch
        {
            0 => shown + "/****",
            1 => $"{shown}/{Prefix(segments[0])}/****",
            _ => $"{shown}/{segments[0]}/{Prefix(segments[1])}/****",
        };
    }

    /// <summary>The first four characters of a long key (routing keys are 32), nothing of a short one.</summary>
    public static string Key(string? key) => key switch
    {
        null or "" => "(not set)",
        { Length: >= 16 } => key[..4] + "…****",
        _ => "****",
    };

    private static string Prefix(string segment) => segment.Length > 4 ? segment[..2] + "…" : "…";
}
