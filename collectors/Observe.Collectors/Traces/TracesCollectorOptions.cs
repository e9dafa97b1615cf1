using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Observe.Collectors.Traces;

/// <summary>What the traces collector reads and how much. Bound from <c>Observe:Collectors:Traces</c>.</summary>
public sealed class TracesCollectorOptions
{
    public const string SectionName = "Observe:Collectors:Traces";

    /// <summary>X-Ray refuses a GetTraceSummaries time range longer than this.</summary>
    public static readonly TimeSpan MaxQueryWindowAllowed = TimeSpan.FromHours(6);

    /// <summary>Time between two passes over one account and region. Default 1 min.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back the first pass of a new account and region reads. Default 15 min.</summary>
    public TimeSpan InitialLookback { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The oldest a pass reads after a long stop: anything older than this before now is skipped (and logged).
    /// Default 24 h.
    /// </summary>
    public TimeSpan MaxLookback { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest time range of one GetTraceSummaries or FilterLogEvents query; at most 6 h. Default 1 h.</summary>
    public TimeSpan QueryWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How far before its checkpoint each pass starts again: traces finish and reach X-Ray late, so the last minutes
    /// are read twice (the store replaces a trace by id, and service graph windows by start). Default 5 min.
    /// </summary>
    public TimeSpan LateArrival { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// X-Ray's <c>TimeRangeType</c>: <c>Event</c> (default; a trace is found again when it is updated, so late
    /// segments are picked up), <c>TraceId</c> (trace start) or <c>Service</c>.
    /// </summary>
    public string TimeRangeType { get; set; } = "Event";

    /// <summary>
    /// An X-Ray filter expression limiting which traces are collected at all, for example
    /// <c>service("orders")</c>. Traces with a fault, error or throttle inside it are always collected.
    /// </summary>
    public string? FilterExpression { get; set; }

    /// <summary>
    /// Share (0 to 1) of the traces without fault, error or throttle that are collected too. Default 0.05. Below 1
    /// the faulty traces are asked for with a filter expression and the rest with X-Ray's fixed-rate sampling; at 1
    /// one unfiltered query reads everything.
    /// </summary>
    public double SampleRate { get; set; } = 0.05;

    /// <summary>
    /// Most traces fetched (BatchGetTraces, or span groups) in one pass of one account and region, faulty ones first.
    /// A pass that reaches it stops and the next pass continues from there. Default 500.
    /// </summary>
    public int MaxTracesPerPass { get; set; } = 500;

    /// <summary>
    /// Trace ids X-Ray still reported unprocessed after the client's retries are kept in the checkpoint and asked for
    /// again next pass, at most this many (the oldest are dropped, and logged). Default 200.
    /// </summary>
    public int MaxPendingTraceIds { get; set; } = 200;

    /// <summary>Whether to collect the service graph (GetServiceGraph). Default true.</summary>
    public bool ServiceGraph { get; set; } = true;

    /// <summary>
    /// Length of one stored service graph window, aligned to the epoch; must divide an hour in whole minutes.
    /// Default 5 min.
    /// </summary>
    public TimeSpan ServiceGraphWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>X-Ray group whose service graph is read; null for the default group.</summary>
    public string? ServiceGraphGroupName { get; set; }

    /// <summary>
    /// Accounts with CloudWatch Transaction Search enabled: X-Ray's BatchGetTraces returns nothing there, so their
    /// spans are read from <see cref="SpansLogGroup"/> instead.
    /// </summary>
    public List<string> TransactionSearchAccounts { get; set; } = [];

    /// <summary>The log group Transaction Search writes spans to. Default <c>aws/spans</c>.</summary>
    public string SpansLogGroup { get; set; } = "aws/spans";
}

/// <summary>Validates <see cref="TracesCollectorOptions"/> at start, naming each bad setting by its path.</summary>
internal sealed partial class TracesCollectorOptionsValidator : IValidateOptions<TracesCollectorOptions>
{
    private const string Section = TracesCollectorOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, TracesCollectorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Interval < TimeSpan.FromSeconds(10))
        {
            errors.Add($"{Section}:Interval '{options.Interval}' must be at least 00:00:10");
        }

        RequireRange(errors, nameof(options.QueryWindow), options.QueryWindow, TimeSpan.FromMinutes(1), TracesCollectorOptions.MaxQueryWindowAllowed, " (X-Ray's limit)");
        RequireRange(errors, nameof(options.InitialLookback), options.InitialLookback, TimeSpan.FromMinutes(1), options.MaxLookback, $" ({Section}:MaxLookback)");
        RequireRange(errors, nameof(options.MaxLookback), options.MaxLookback, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30), " (X-Ray keeps traces 30 days)");
        RequireRange(errors, nameof(options.LateArrival), options.LateArrival, TimeSpan.Zero, TimeSpan.FromHours(1), "");
        if (options.TimeRangeType is not ("Event" or "TraceId" or "Service"))
        {
            errors.Add($"{Section}:TimeRangeType '{options.TimeRangeType}' must be Event, TraceId or Service");
        }

        if (options.FilterExpression is { } filter && string.IsNullOrWhiteSpace(filter))
        {
            errors.Add($"{Section}:FilterExpression is blank: remove it to collect every service");
        }

        if (double.IsNaN(options.SampleRate) || options.SampleRate is < 0 or > 1)
        {
            errors.Add($"{Section}:SampleRate '{options.SampleRate.ToString(CultureInfo.InvariantCulture)}' must be between 0 and 1");
        }

        if (options.MaxTracesPerPass is < 1 or > 100_000)
        {
            errors.Add($"{Section}:MaxTracesPerPass '{options.MaxTracesPerPass}' must be between 1 and 100000");
        }

        if (options.MaxPendingTraceIds is < 0 or > 10_000)
        {
            errors.Add($"{Section}:MaxPendingTraceIds '{options.MaxPendingTraceIds}' must be between 0 and 10000");
        }

        var window = options.ServiceGraphWindow;
        if (window < TimeSpan.FromMinutes(1) || window.Ticks % TimeSpan.TicksPerMinute != 0 || TimeSpan.FromHours(1).Ticks % window.Ticks != 0)
        {
            errors.Add($"{Section}:ServiceGraphWindow '{window}' must be whole minutes dividing an hour (1, 2, 5, 10, 15, 30 or 60 min)");
        }

        for (var i = 0; i < (options.TransactionSearchAccounts ?? []).Count; i++)
        {
            if (!AccountIdPattern().IsMatch(options.TransactionSearchAccounts![i] ?? ""))
            {
                errors.Add($"{Section}:TransactionSearchAccounts:{i} '{options.TransactionSearchAccounts[i]}' is not a 12-digit account id");
            }
        }

        if (string.IsNullOrWhiteSpace(options.SpansLogGroup))
        {
            errors.Add($"{Section}:SpansLogGroup is empty: Transaction Search writes spans to aws/spans");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void RequireRange(List<string> errors, string setting, TimeSpan value, TimeSpan min, TimeSpan max, string why)
    {
        if (value < min || value > max)
        {
            errors.Add($"{Section}:{setting} '{value}' must be between {min} and {max}{why}");
        }
    }

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountIdPattern();
}
