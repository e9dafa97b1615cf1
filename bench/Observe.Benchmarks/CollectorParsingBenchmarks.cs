using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Observe.Collectors.Parsing;
using Observe.Store.Model;

namespace Observe.Benchmarks;

/// <summary>
/// Lambda REPORT parsing throughput, per line, against the straightforward way (a compiled Regex for the text line,
/// JsonDocument for platform.report) in the same run. Goal: at least 1,000,000 lines/s per core.
/// Run: dotnet run -c Release --project bench/Observe.Benchmarks -- --filter '*CollectorParsing*' --job short
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public partial class CollectorParsingBenchmarks
{
    private const int Lines = 1000;
    private static readonly FunctionKey Function = new("123456789012", "eu-west-1", "orders-api");
    private static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private string[] _text = [];
    private string[] _json = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _text = new string[Lines];
        _json = new string[Lines];
        for (var i = 0; i < Lines; i++)
        {
            var id = Guid.NewGuid().ToString();
            var duration = (random.Next(100, 500_000) / 100.0).ToString("F2", CultureInfo.InvariantCulture);
            var cold = i % 10 == 0;
            _text[i] = $"REPORT RequestId: {id}\tDuration: {duration} ms\tBilled Duration: {random.Next(1, 5000)} ms\tMemory Size: 512 MB\tMax Memory Used: {random.Next(60, 512)} MB\t"
                       + (cold ? $"Init Duration: {random.Next(100, 2000)}.25 ms\t" : "")
                       + (i % 2 == 0 ? $"\nXRAY TraceId: 1-5e7e8131-{id.Replace("-", "", StringComparison.Ordinal)[..24]}\tSegmentId: 0152aa5560163101\tSampled: true" : "");
            _json[i] = $$$"""{"time":"2026-11-22T10:00:00.000Z","type":"platform.report","record":{"requestId":"{{{id}}}","metrics":{"durationMs":{{{duration}}},"billedDurationMs":{{{random.Next(1, 5000)}}},"memorySizeMB":512,"maxMemoryUsedMB":{{{random.Next(60, 512)}}}{{{(cold ? ",\"initDurationMs\":397.68" : "")}}}},"tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"},"status":"success"}}""";
        }
    }

    [BenchmarkCategory("Text"), Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int Text_RegexBaseline()
    {
        var parsed = 0;
        foreach (var line in _text)
        {
            var m = ReportRegex().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var trace = TraceRegex().Match(line);
            var report = new InvocationReport
            {
                Function = Function,
                RequestId = m.Groups["id"].Value,
                Timestamp = At,
                DurationMs = double.Parse(m.Groups["d"].Value, CultureInfo.InvariantCulture),
                BilledDurationMs = double.Parse(m.Groups["b"].Value, CultureInfo.InvariantCulture),
                MemorySizeMb = int.Parse(m.Groups["m"].Value, CultureInfo.InvariantCulture),
                MaxMemoryUsedMb = int.Parse(m.Groups["u"].Value, CultureInfo.InvariantCulture),
                InitDurationMs = m.Groups["i"].Success ? double.Parse(m.Groups["i"].Value, CultureInfo.InvariantCulture) : null,
                TraceId = trace.Success ? trace.Groups[1].Value : null,
            };
            parsed += report.MemorySizeMb > 0 ? 1 : 0;
        }

        return parsed;
    }

    [BenchmarkCategory("Text"), Benchmark(OperationsPerInvoke = Lines)]
    public int Text_Observe()
    {
        var parsed = 0;
        foreach (var line in _text)
        {
            parsed += LambdaReportParser.Parse(line, Function, At, out _, out _) == ReportParseOutcome.Parsed ? 1 : 0;
        }

        return parsed;
    }

    [BenchmarkCategory("Json"), Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int Json_JsonDocumentBaseline()
    {
        var parsed = 0;
        foreach (var line in _json)
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.GetProperty("type").GetString() != "platform.report")
            {
                continue;
            }

            var record = root.GetProperty("record");
            var metrics = record.GetProperty("metrics");
            var report = new InvocationReport
            {
                Function = Function,
                RequestId = record.GetProperty("requestId").GetString()!,
                Timestamp = At,
                DurationMs = metrics.GetProperty("durationMs").GetDouble(),
                BilledDurationMs = metrics.GetProperty("billedDurationMs").GetDouble(),
                MemorySizeMb = metrics.GetProperty("memorySizeMB").GetInt32(),
                MaxMemoryUsedMb = metrics.GetProperty("maxMemoryUsedMB").GetInt32(),
                InitDurationMs = metrics.TryGetProperty("initDurationMs", out var init) ? init.GetDouble() : null,
                Status = record.GetProperty("status").GetString()!,
                TraceId = record.TryGetProperty("tracing", out var tracing) ? tracing.GetProperty("value").GetString()!.Split(';')[0][5..] : null,
            };
            parsed += report.MemorySizeMb > 0 ? 1 : 0;
        }

        return parsed;
    }

    [BenchmarkCategory("Json"), Benchmark(OperationsPerInvoke = Lines)]
    public int Json_Observe()
    {
        var parsed = 0;
        foreach (var line in _json)
        {
            parsed += LambdaReportParser.Parse(line, Function, At, out _, out _) == ReportParseOutcome.Parsed ? 1 : 0;
        }

        return parsed;
    }

    [GeneratedRegex(@"^REPORT RequestId: (?<id>\S+)\tDuration: (?<d>[0-9.]+) ms\tBilled Duration: (?<b>[0-9.]+) ms\tMemory Size: (?<m>[0-9]+) MB\tMax Memory Used: (?<u>[0-9]+) MB(\tInit Duration: (?<i>[0-9.]+) ms)?")]
    private static partial Regex ReportRegex();

    [GeneratedRegex(@"XRAY TraceId: (\S+)")]
    private static partial Regex TraceRegex();
}
