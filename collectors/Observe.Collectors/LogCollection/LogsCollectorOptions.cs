using Microsoft.Extensions.Options;

namespace Observe.Collectors.LogCollection;

/// <summary>How the logs collector reads an account's log groups.</summary>
public enum LogsReadMode
{
    /// <summary>Per account and region, whichever of the two below the cost model says takes fewer API calls.</summary>
    Auto,

    /// <summary>
    /// FilterLogEvents per log group: every REPORT line (all invocation reports) and error line. One call per group
    /// and pass at least, so it suits small fleets.
    /// </summary>
    FilterLogEvents,

    /// <summary>
    /// Logs Insights over up to 50 groups a query: one query returns the lines FilterLogEvents' default pattern selects
    /// (every REPORT line and error line), so both modes store the same reports from the same lines.
    /// </summary>
    Insights,
}

/// <summary>The logs collector's settings, bound from <c>Observe:Collectors:Logs</c>.</summary>
public sealed class LogsCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Logs";

    /// <summary>
    /// The default filter pattern: REPORT lines (text and JSON), the JSON format's init reports (the initialisation
    /// type of each cold start) and anything that can be an error line. CloudWatch
    /// evaluates it server-side, so START/END and ordinary application lines never cross the wire.
    /// </summary>
    public const string DefaultFilterPattern =
        "?REPORT ?\"platform.report\" ?\"platform.initReport\" ?ERROR ?Error ?error ?Exception ?exception ?fail ?crit ?FATAL ?CRITICAL ?Traceback";

    /// <summary>Time between two passes over one account and region; default 1 minute.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary><c>Auto</c> (default), <c>FilterLogEvents</c> or <c>Insights</c>: overrides the cost model's choice.</summary>
    public LogsReadMode Mode { get; set; } = LogsReadMode.Auto;

    /// <summary>
    /// How far back each pass re-reads before its checkpoint, for events CloudWatch makes searchable late; already
    /// counted events are recognised by id. Default 2 minutes.
    /// </summary>
    public TimeSpan Overlap { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How far back the first pass over a log group reads; default 15 minutes.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The most one pass reads past a checkpoint, so a collector that was down catches up in bounded steps;
    /// default 1 hour, at most 200 minutes.
    /// </summary>
    public TimeSpan MaxCatchUp { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The FilterLogEvents filter pattern (at most 1,024 characters); empty reads every event.</summary>
    public string FilterPattern { get; set; } = DefaultFilterPattern;

    /// <summary>Log groups read at once in FilterLogEvents mode (the account's rate budget still applies); default 4.</summary>
    public int MaxParallelGroups { get; set; } = 4;

    /// <summary>Wait between two GetQueryResults polls; default 1 second.</summary>
    public TimeSpan InsightsPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an Insights query may run before the pass gives up (and retries next time); default 5 minutes.</summary>
    public TimeSpan InsightsQueryTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>GetQueryResults polls a query takes, for the cost model; default 3.</summary>
    public int InsightsExpectedPolls { get; set; } = 3;

    /// <summary>Events a log group yields per pass, for the cost model until a pass has measured it; default 50.</summary>
    public int ExpectedEventsPerGroup { get; set; } = 50;

    /// <summary>
    /// Events in one FilterLogEvents page, for the cost model: a page holds at most 10,000 events or 1 MB, and a
    /// REPORT line is about 300 bytes. Default 3,000.
    /// </summary>
    public int EventsPerPage { get; set; } = 3000;

    /// <summary>Skipped lines kept as samples in the log per log group and pass; default 5.</summary>
    public int MaxSkippedSamples { get; set; } = 5;
}

/// <summary>Validates <see cref="LogsCollectorOptions"/> at start; every message names the setting.</summary>
internal sealed class LogsCollectorOptionsValidator : IValidateOptions<LogsCollectorOptions>
{
    private const string Section = LogsCollectorOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, LogsCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        Between(errors, nameof(options.Interval), options.Interval, TimeSpan.FromSeconds(5), TimeSpan.FromHours(1));
        Between(errors, nameof(options.Overlap), options.Overlap, TimeSpan.Zero, TimeSpan.FromHours(1));
        Between(errors, nameof(options.InitialLookback), options.InitialLookback, TimeSpan.FromMinutes(1), TimeSpan.FromDays(14));
        Between(errors, nameof(options.MaxCatchUp), options.MaxCatchUp, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(200));
        Between(errors, nameof(options.InsightsPollInterval), options.InsightsPollInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
        Between(errors, nameof(options.InsightsQueryTimeout), options.InsightsQueryTimeout, TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(60));
        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{Section}:Mode '{options.Mode}' is not a mode; use Auto, FilterLogEvents or Insights");
        }

        if (options.FilterPattern is null || options.FilterPattern.Length > 1024)
        {
            errors.Add($"{Section}:FilterPattern must be at most 1,024 characters (CloudWatch Logs' limit); it is {options.FilterPattern?.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}");
        }

        Range(errors, nameof(options.MaxParallelGroups), options.MaxParallelGroups, 1, 64);
        Range(errors, nameof(options.InsightsExpectedPolls), options.InsightsExpectedPolls, 1, 1000);
        Range(errors, nameof(options.ExpectedEventsPerGroup), options.ExpectedEventsPerGroup, 0, 10_000_000);
        Range(errors, nameof(options.EventsPerPage), options.EventsPerPage, 1, 10_000);
        Range(errors, nameof(options.MaxSkippedSamples), options.MaxSkippedSamples, 0, 100);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Between(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{setting} {value} must be between {min} and {max}");
        }
    }

    private static void Range(List<string> errors, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{setting} {value} must be between {min} and {max}");
        }
    }
}
