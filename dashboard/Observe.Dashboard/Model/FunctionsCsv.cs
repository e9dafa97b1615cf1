using System.Globalization;
using System.Text;

namespace Observe.Dashboard.Model;

/// <summary>
/// The Functions grid as CSV (RFC 4180: comma-separated, CRLF, quoted where needed). Unknown figures are empty cells,
/// never 0. Names and tags come from outside, so a cell a spreadsheet would run as a formula (starting with
/// <c>= + - @</c>, tab or CR) is prefixed with an apostrophe, which the spreadsheet shows as text.
/// </summary>
public static class FunctionsCsv
{
    public const string ContentType = "text/csv; charset=utf-8";

    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static IReadOnlyList<string> Header { get; } =
    [
        "name", "account_id", "account", "region", "runtime", "architecture", "memory_mb", "timeout_s", "package_type",
        "code_size_bytes", "owner", "invocations", "errors", "error_rate", "p99_ms_upper_bound", "cold_start_rate",
        "monthly_cost_usd", "flags", "changes_in_range",
    ];

    /// <summary>Writes the header and one line per row, in the rows' order.</summary>
    public static async Task WriteAsync(TextWriter writer, IEnumerable<FunctionRow> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        var line = new StringBuilder(256);
        AppendLine(line, Header);
        await writer.WriteAsync(line, cancellationToken);
        var cells = new string[Header.Count];
        var written = 0;
        foreach (var row in rows)
        {
            Fill(cells, row);
            line.Clear();
            AppendLine(line, cells);
            await writer.WriteAsync(line, cancellationToken);

            // Flush in chunks so a 10,000-row export streams instead of waiting for the whole body.
            if (++written % 1000 == 0)
            {
                await writer.FlushAsync(cancellationToken);
            }
        }

        await writer.FlushAsync(cancellationToken);
    }

    private static void Fill(string[] cells, FunctionRow row)
    {
        var f = row.Function;
        var errorsKnown = row.Stats is { UnreadErrorInvocations: 0 };
        cells[0] = f.Key.Name;
        cells[1] = f.Key.AccountId;
        cells[2] = row.Account;
        cells[3] = f.Key.Region;
        cells[4] = f.Runtime ?? "";
        cells[5] = f.Architecture;
        cells[6] = f.MemoryMb.ToString(Culture);
        cells[7] = f.TimeoutSeconds.ToString(Culture);
        cells[8] = f.PackageType;
        cells[9] = f.CodeSizeBytes.ToString(Culture);
        cells[10] = row.Owner ?? "";
        cells[11] = Number(row.Invocations);
        cells[12] = errorsKnown ? Number(row.Stats!.Errors) : "";
        cells[13] = Number(row.ErrorRate);
        cells[14] = Number(row.P99Ms);
        cells[15] = Number(row.ColdStartRate);
        cells[16] = row.MonthlyCost is { } cost ? cost.ToString("0.00", Culture) : "";
        cells[17] = string.Join("; ", row.Flags.Select(flag => flag.Title));
        cells[18] = row.ChangesInRange.ToString(Culture);
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", Culture) : "";

    private static void AppendLine(StringBuilder line, IReadOnlyList<string> cells)
    {
        for (var i = 0; i < cells.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            AppendCell(line, cells[i]);
        }

        line.Append("\r\n");
    }

    /// <summary>One cell: neutralised if a spreadsheet would evaluate it, quoted if it holds a comma, quote or line break.</summary>
    internal static void AppendCell(StringBuilder line, string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(value);
            return;
        }

        line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}

/// <summary>
/// <c>GET /functions/export.csv</c> with the page's query string: exactly the rows the grid shows for it (every page,
/// in its order), from the same snapshot and the same query code.
/// </summary>
public static class FunctionsExport
{
    public const string Path = "/functions/export.csv";

    public static async Task<IResult> HandleAsync(
        HttpContext context,
        FunctionsSnapshots snapshots,
        TimeProvider time,
        Microsoft.Extensions.Options.IOptions<Configuration.DashboardOptions> options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(options);
        var request = context.Request.Query;
        var max = options.Value.MaxRange;
        var fallback = TimeRangeQuery.Parse(options.Value.DefaultRange, null, null, null, max).Selection;
        var range = TimeRangeQuery.Parse(request[TimeRangeQuery.RangeParameter], request[TimeRangeQuery.FromParameter], request[TimeRangeQuery.ToParameter], fallback, max);
        if (range.Selection is null)
        {
            return Results.Text(range.Error!.Message, "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var now = time.GetUtcNow();
        var snapshot = await snapshots.GetAsync(range.Selection.Resolve(now), range.Selection.IsRelative, cancellationToken);
        var (query, error) = FunctionsQuery.Parse(request, token => snapshot.FlagLegend.Any(p => string.Equals(p.Token, token, StringComparison.Ordinal)));
        if (query is null)
        {
            return Results.Text($"The grid's settings in the address are not valid. {error!.Message}", "text/plain; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);
        }

        var rows = FunctionsView.Create(snapshot, query).Rows;
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"functions-{now:yyyyMMdd-HHmm}.csv");
        return Results.Stream(
            async body =>
            {
                await using var writer = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 64 * 1024);
                await FunctionsCsv.WriteAsync(writer, rows, cancellationToken);
            },
            FunctionsCsv.ContentType,
            name);
    }
}
