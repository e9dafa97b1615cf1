namespace Observe.Alerting.Lifecycle;

/// <summary>Label names the lifecycle and the notification planner read or add.</summary>
internal static class AlertLabels
{
    public const string Account = "account";
    public const string Region = "region";
    public const string Function = "function";
    public const string Collector = "collector";
    public const string Fingerprint = "fingerprint";
    public const string Alarm = "alarm";

    /// <summary>Set to <c>true</c> on the derived alert that says a firing alert's figure has not been read for a while.</summary>
    public const string NoData = "nodata";

    public static bool IsNoData(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue(NoData, out var value) && value == "true";

    /// <summary>The labels key of the no-data alert derived from the instance with <paramref name="baseKey"/>.</summary>
    public static string NoDataKey(string baseKey) => baseKey + "|nodata=true";
}
