using System.Globalization;
using Observe.Collectors.Aws;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>
/// What the Collectors page shows: every (collector, account, region) status with failing ones first, and AWS API
/// usage per account for today and the last 7 UTC days, summed over every process that collects into the store, and
/// the estimated cost split by what AWS bills (metrics, requests, data scanned, session time, traces).
/// </summary>
public sealed record CollectorsViewModel(
    IReadOnlyList<CollectorStatusRow> Statuses,
    IReadOnlyList<AccountUsageRow> Usage,
    AccountUsageRow Total,
    DateOnly Today,
    DateOnly WeekStart)
{
    /// <summary>The estimate per billed kind, in <see cref="AwsBilling.Billed"/> order; every kind, billed or not yet.</summary>
    public IReadOnlyList<BilledUsageRow> Billed { get; init; } = [];

    /// <summary>The date of the prices this dashboard is configured with (<c>Observe:Aws:Prices:AsOf</c>).</summary>
    public DateOnly PricesAsOf { get; init; } = AwsPriceOptions.DefaultAsOf;

    /// <summary>What the alerting lease holder recorded at its last cycle.</summary>
    public AlertingHealthView Alerting { get; init; } = AlertingHealthView.Create(null, null, DateTimeOffset.MinValue);

    /// <summary>Days in the usage window, today included.</summary>
    public const int UsageDays = 7;

    public int Failing => Statuses.Count(s => s.Failing);

    public int Degraded => Statuses.Count(s => s.Degraded);

    /// <param name="statuses">Every target's status from the store.</param>
    /// <param name="usage">API usage of the last <see cref="UsageDays"/> days.</param>
    /// <param name="now">The current time.</param>
    /// <param name="accountNames">Names of the configured accounts, for accounts whose status recorded none.</param>
    /// <param name="prices">This dashboard's prices, for their date and wording; the dollars are the writers' own estimates.</param>
    public static CollectorsViewModel Create(
        IReadOnlyList<CollectorStatus> statuses, IReadOnlyList<ApiUsage> usage, DateTimeOffset now, IReadOnlyDictionary<string, string> accountNames, AwsPriceOptions? prices = null)
    {
        prices ??= new AwsPriceOptions();
        ArgumentNullException.ThrowIfNull(statuses);
        ArgumentNullException.ThrowIfNull(usage);
        ArgumentNullException.ThrowIfNull(accountNames);

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var weekStart = today.AddDays(1 - UsageDays);
        var rows = statuses
            .Select(s => CollectorStatusRow.Create(s, s.AccountName is { } name ? $"{s.AccountId} ({name})" : Account(s.AccountId, accountNames), now))
            .OrderByDescending(r => r.Failing)
            .ThenByDescending(r => r.Degraded)
            .ThenBy(r => r.Collector, StringComparer.Ordinal)
            .ThenBy(r => r.AccountId, StringComparer.Ordinal)
            .ThenBy(r => r.Region, StringComparer.Ordinal)
            .ToList();
        var perAccount = usage
            .Where(u => u.Day >= weekStart && u.Day <= today)
            .GroupBy(u => u.AccountId, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => AccountUsageRow.Sum(g.Key, Account(g.Key, accountNames), g, today))
            .ToList();
        var week = usage.Where(u => u.Day >= weekStart && u.Day <= today).ToList();
        var total = AccountUsageRow.Sum("", "All accounts", week, today);
        var billed = AwsBilling.Billed
            .Select(kind => BilledUsageRow.Sum(kind, week.Where(u => AwsBilling.For(u.Service, u.Operation) == kind), today, prices))
            .ToList();
        return new CollectorsViewModel(rows, perAccount, total, today, weekStart) { Billed = billed, PricesAsOf = prices.AsOf };
    }

    /// <summary>Account names from this dashboard's bound <c>Observe:Aws:Accounts</c>, when it has them.</summary>
    public static IReadOnlyDictionary<string, string> AccountNames(AwsOptions aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        return aws.Accounts
            .Where(a => !string.IsNullOrWhiteSpace(a.AccountId) && !string.IsNullOrWhiteSpace(a.Name))
            .GroupBy(a => a.AccountId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Name!, StringComparer.Ordinal);
    }

    private static string Account(string id, IReadOnlyDictionary<string, string> names) =>
        names.TryGetValue(id, out var name) ? $"{id} ({name})" : id;
}

/// <summary>One collector on one account and region, formatted.</summary>
public sealed record CollectorStatusRow(
    string Collector,
    string AccountId,
    string Account,
    string Region,
    string State,
    bool Failing,
    string LastSuccess,
    string LastSuccessExact,
    string LastDuration,
    string? Error,
    string Instance,
    bool Degraded,
    string? Warning,
    long SkippedLastPass,
    string SkippedDetail)
{
    /// <summary>Slack past the pass timeout for the cancelled pass to record its failure.</summary>
    private static readonly TimeSpan RecordingSlack = TimeSpan.FromMinutes(1);

    public static CollectorStatusRow Create(CollectorStatus status, string account, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(status);
        var lastEnd = Max(status.LastSuccess, status.LastFailure);
        var started = status.LastStart is { } s && (lastEnd is null || s > lastEnd) ? s : (DateTimeOffset?)null;

        // The host cancels a pass at its timeout (the one it recorded with the status) and records the failure; a start
        // with no end long after that means the process running it stopped (restart, crash, lost store) before it
        // could record anything. A row written before the timeout was recorded cannot tell running from interrupted.
        var interrupted = started is { } since && status.PassTimeout is { } passTimeout && now - since > passTimeout + RecordingSlack;
        var unknown = started is not null && status.PassTimeout is null;
        var state = status switch
        {
            { LastStart: null } => "Not run yet",
            _ when interrupted => "Interrupted",
            _ when unknown => "Unknown",
            _ when started is not null => "Running",
            { ConsecutiveFailures: 1 } => "Failing",
            { ConsecutiveFailures: > 1 } => string.Create(CultureInfo.InvariantCulture, $"Failing ({status.ConsecutiveFailures} in a row)"),
            { IsDegraded: true, ConsecutiveDegraded: > 1 } => string.Create(CultureInfo.InvariantCulture, $"Degraded ({status.ConsecutiveDegraded} in a row)"),
            { IsDegraded: true } => "Degraded",
            _ => "OK",
        };
        return new CollectorStatusRow(
            status.Collector,
            status.AccountId,
            account,
            status.Region,
            state,
            status.IsFailing || interrupted,
            status.LastSuccess is { } success ? CollectorsFormat.Ago(now - success) : "never",
            status.LastSuccess is { } exact ? TimeRangeQuery.FormatInstant(exact) : "no successful pass recorded",
            status.LastDuration is { } duration ? CollectorsFormat.Duration(duration) : FigureFormat.NoData,
            interrupted
                ? $"The pass that started {CollectorsFormat.Ago(now - started!.Value)} never ended: the process running it ({status.Instance}) stopped before recording it. The next pass replaces this row."
                : unknown
                    ? $"The pass that started {CollectorsFormat.Ago(now - started!.Value)} has not ended, and the process running it ({status.Instance}) recorded no pass timeout, so whether it still runs is unknown. The next pass records it."
                    : status.IsFailing ? status.LastError : null,
            status.Instance,
            status.IsDegraded && !interrupted && started is null,
            status.IsDegraded ? status.LastWarning : null,
            status.LastSkipped.Total,
            DescribeSkipped(status));
    }

    /// <summary>What the tooltip of the skipped count says: the latest pass's reasons and the total since the row began.</summary>
    private static string DescribeSkipped(CollectorStatus status) =>
        $"Latest pass: {status.LastSkipped}. All recorded passes: {status.TotalSkipped}.";

    private static DateTimeOffset? Max(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}

/// <summary>One account's API usage today and over the last 7 days; metrics are GetMetricData's alone.</summary>
public sealed record AccountUsageRow(
    string AccountId,
    string Account,
    long CallsToday,
    long MetricsToday,
    decimal CostToday,
    long CallsWeek,
    long MetricsWeek,
    decimal CostWeek,
    long ThrottledWeek,
    long FailedWeek)
{
    /// <summary>Billed calls in the 7 days whose quantity AWS did not report: left out of <see cref="CostWeek"/>.</summary>
    public long UnpricedWeek { get; init; }

    public static AccountUsageRow Sum(string accountId, string account, IEnumerable<ApiUsage> usage, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var all = usage.ToList();
        var todays = all.Where(u => u.Day == today).ToList();

        // Billed units are in each API's own unit (bytes, seconds, traces): only GetMetricData's are metrics.
        static long Metrics(IEnumerable<ApiUsage> rows) => rows.Where(u => AwsBilling.For(u.Service, u.Operation) == BilledAs.CloudWatchMetrics).Sum(u => u.BilledUnits);
        return new AccountUsageRow(
            accountId,
            account,
            todays.Sum(u => u.Calls),
            Metrics(todays),
            todays.Sum(u => u.EstimatedCostUsd),
            all.Sum(u => u.Calls),
            Metrics(all),
            all.Sum(u => u.EstimatedCostUsd),
            all.Sum(u => u.ThrottledAttempts),
            all.Sum(u => u.FailedCalls))
        {
            UnpricedWeek = all.Sum(u => u.UnpricedCalls),
        };
    }
}

/// <summary>The estimate for one billed kind (for example Logs Insights data scanned) today and over the last 7 days.</summary>
public sealed record BilledUsageRow(
    BilledAs Kind,
    string What,
    string Price,
    long UnitsToday,
    string QuantityToday,
    decimal CostToday,
    long UnitsWeek,
    string QuantityWeek,
    decimal CostWeek,
    long UnpricedWeek)
{
    public static BilledUsageRow Sum(BilledAs kind, IEnumerable<ApiUsage> usage, DateOnly today, AwsPriceOptions prices)
    {
        ArgumentNullException.ThrowIfNull(usage);
        var all = usage.ToList();
        var todays = all.Where(u => u.Day == today).ToList();
        var unitsToday = todays.Sum(u => u.BilledUnits);
        var unitsWeek = all.Sum(u => u.BilledUnits);
        return new BilledUsageRow(
            kind,
            AwsBilling.Describe(kind),
            AwsBilling.PriceText(kind, prices),
            unitsToday,
            CollectorsFormat.Quantity(kind, unitsToday),
            todays.Sum(u => u.EstimatedCostUsd),
            unitsWeek,
            CollectorsFormat.Quantity(kind, unitsWeek),
            all.Sum(u => u.EstimatedCostUsd),
            all.Sum(u => u.UnpricedCalls));
    }
}

/// <summary>How the Collectors page writes ages, durations and dollars (invariant culture, like every figure).</summary>
public static class CollectorsFormat
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>just now / 42 s ago / 5 min ago / 3 h ago / 2 d ago.</summary>
    public static string Ago(TimeSpan age) => age switch
    {
        { TotalSeconds: < 1 } => "just now",
        { TotalMinutes: < 1 } => $"{(int)age.TotalSeconds} s ago",
        { TotalHours: < 1 } => $"{(int)age.TotalMinutes} min ago",
        { TotalDays: < 1 } => $"{(int)age.TotalHours} h ago",
        _ => $"{(int)age.TotalDays} d ago",
    };

    /// <summary>850 ms / 12.3 s / 4 min 5 s.</summary>
    public static string Duration(TimeSpan duration) => duration switch
    {
        { TotalSeconds: < 1 } => duration.TotalMilliseconds.ToString("0", Culture) + " ms",
        { TotalMinutes: < 1 } => duration.TotalSeconds.ToString("0.#", Culture) + " s",
        _ => $"{(int)duration.TotalMinutes} min {duration.Seconds} s",
    };

    /// <summary>$0 / &lt;$0.0001 / $0.0042 (under a cent, so small costs do not read as zero) / $1.23 / $1,234.56.</summary>
    public static string Dollars(decimal amount) => amount switch
    {
        0 => "$0",
        < 0.0001m => "<$0.0001",
        < 0.01m => "$" + amount.ToString("0.####", Culture),
        _ => "$" + amount.ToString("#,0.00", Culture),
    };

    /// <summary>A billed quantity in its unit: 12,000 metrics / 3 requests / 2.5 GB / 1.5 min / 1,200 traces.</summary>
    public static string Quantity(BilledAs kind, long units) => kind switch
    {
        BilledAs.CloudWatchMetrics => units.ToString("#,0", Culture) + (units == 1 ? " metric" : " metrics"),
        BilledAs.CloudWatchRequests => units.ToString("#,0", Culture) + (units == 1 ? " request" : " requests"),
        BilledAs.InsightsBytesScanned => units < 1024 * 1024 * 1024 / 100
            ? (units / (1024d * 1024)).ToString("#,0.##", Culture) + " MB"
            : (units / (1024d * 1024 * 1024)).ToString("#,0.##", Culture) + " GB",
        BilledAs.LiveTailSessionSeconds => (units / 60d).ToString("#,0.#", Culture) + " min",
        BilledAs.XRayTracesScanned or BilledAs.XRayTracesRetrieved => units.ToString("#,0", Culture) + (units == 1 ? " trace" : " traces"),
        _ => units.ToString("#,0", Culture),
    };

    /// <summary>The exact estimate, for tooltips.</summary>
    public static string ExactDollars(decimal amount) => "$" + amount.ToString("0.######", Culture);
}
