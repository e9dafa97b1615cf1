using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;

namespace Observe.Instrumentation.Tests;

public class EmbeddedMetricsTests
{
    [Fact]
    public void Flush_RecordedValues_WritesEmfDocumentCloudWatchAccepts()
    {
        var output = new CapturedOutput();
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1574109732004));
        var metrics = new EmbeddedMetrics("lambda-function-metrics", [new("time", EmfUnit.Milliseconds), new("orders", EmfUnit.Count, HighResolution: true)], [["functionVersion"]], output.Sink, time);
        metrics.SetDimension("functionVersion", "$LATEST");

        metrics.Record("time", 100);
        metrics.Record("time", 120.5);
        metrics.Record("orders", 1);
        metrics.Flush();
        metrics.Flush();

        var line = Assert.Single(output.Json);
        var aws = line.GetProperty("_aws");
        Assert.Equal(1574109732004, aws.GetProperty("Timestamp").GetInt64());
        var directive = Assert.Single(aws.GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.Equal("lambda-function-metrics", directive.GetProperty("Namespace").GetString());
        Assert.Equal("functionVersion", directive.GetProperty("Dimensions")[0][0].GetString());
        Assert.Equal(
            ["time/Milliseconds/60", "orders/Count/1"],
            directive.GetProperty("Metrics").EnumerateArray().Select(m => $"{m.GetProperty("Name")}/{m.GetProperty("Unit")}/{m.GetProperty("StorageResolution")}"));
        Assert.Equal("$LATEST", line.GetProperty("functionVersion").GetString());
        Assert.Equal([100, 120.5], line.GetProperty("time").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(1, line.GetProperty("orders").GetDouble());
    }

    [Fact]
    public void RecordAndFlush_ValuesDropped_CountedOnTheEventSourceAndSaidOnceOnStderr()
    {
        using var events = new DiagnosticEvents();
        var output = new CapturedOutput();
        var errors = new CapturedOutput();
        var ns = "dropped-" + Guid.NewGuid().ToString("N");
        var metrics = new EmbeddedMetrics(ns, [new("latency", EmfUnit.Milliseconds)], [["service"]], output.Sink, TimeProvider.System, new Internal.Notices(errors.Sink));

        metrics.Record("latency", double.NaN);
        metrics.Record("latency", double.PositiveInfinity);
        metrics.Record("no-such-metric", 1);
        metrics.Record("latency", 12);
        metrics.Flush();
        metrics.Record("latency", 13);
        metrics.Flush();

        // Two lines still written, each without the dimension set whose key never got a value.
        Assert.Equal(2, output.Json.Count);
        var counts = events.Named("MetricValuesDropped").Where(e => (string?)e.Payload![0] == ns).Select(e => (long)e.Payload![1]!);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], counts);
        var notice = Assert.Single(errors.Lines);
        Assert.Contains(ns, notice, StringComparison.Ordinal);
        Assert.Contains("dropped", notice, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_HundredthValue_WritesLineAtOnce()
    {
        var output = new CapturedOutput();
        var metrics = new EmbeddedMetrics("ns", [new("latency", EmfUnit.Milliseconds)], null, output.Sink, TimeProvider.System);

        for (var i = 0; i < 250; i++)
        {
            metrics.Record("latency", i);
        }

        metrics.Flush();
        Assert.Equal([100, 100, 50], output.Json.Select(l => l.GetProperty("latency").GetArrayLength()));
    }

    public static TheoryData<string, string> InvalidDefinitions => new()
    {
        { "", "namespace" },
        { "AWS/Lambda", "namespace" },
        { "101 metrics", "metrics" },
        { "no metrics", "metrics" },
        { "duplicate metric", "metrics" },
        { "31 dimensions", "dimensionSets" },
        { "dimension named like a metric", "dimensionSets" },
        { "repeated dimension", "dimensionSets" },
        { "_aws metric", "metrics" },
    };

    [Theory]
    [MemberData(nameof(InvalidDefinitions))]
    public void Constructor_DefinitionBreaksLimit_ThrowsArgumentExceptionNamingTheProblem(string definition, string parameter)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => definition switch
        {
            "" => new EmbeddedMetrics("", [new("m")]),
            "AWS/Lambda" => new EmbeddedMetrics("AWS/Lambda", [new("m")]),
            "101 metrics" => new EmbeddedMetrics("ns", Enumerable.Range(0, 101).Select(i => new EmfMetric($"m{i}"))),
            "no metrics" => new EmbeddedMetrics("ns", []),
            "duplicate metric" => new EmbeddedMetrics("ns", [new("m"), new("m", EmfUnit.Count)]),
            "31 dimensions" => new EmbeddedMetrics("ns", [new("m")], [Enumerable.Range(0, 31).Select(i => $"d{i}")]),
            "dimension named like a metric" => new EmbeddedMetrics("ns", [new("m")], [["m"]]),
            "repeated dimension" => new EmbeddedMetrics("ns", [new("m")], [["d", "d"]]),
            _ => new EmbeddedMetrics("ns", [new("_aws")]),
        });

        Assert.Equal(parameter, error.ParamName);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void Constructor_ExactlyAtLimits_Accepted()
    {
        var metrics = new EmbeddedMetrics("ns", Enumerable.Range(0, 100).Select(i => new EmfMetric($"m{i}")), [Enumerable.Range(0, 30).Select(i => $"d{i}")]);

        Assert.NotNull(metrics);
    }

    [Fact]
    public void Writer_RandomDefinitionsAndInput_NeverThrowsOutsideConstructionAndOutputHonoursLimits()
    {
        var names = Gen.Elements("a", "b", "c", "_aws", "", " ", "latency", "d1", "d2", "\"quoted\"", "ünï", new string('x', 300));
        var definition = from metricCount in Gen.Choose(0, 110)
                         from metricNames in Gen.ArrayOf(names, metricCount)
                         from dimensionSets in Gen.ListOf(Gen.ListOf(names))
                         from unit in Gen.Elements(Enum.GetValues<EmfUnit>().Append((EmfUnit)99).ToArray())
                         select (metricNames.Select((n, i) => i % 2 == 0 ? n + i : n).ToArray(), dimensionSets, unit);
        var operation = from kind in Gen.Choose(0, 3)
                        from name in names
                        from value in Gen.Elements(0.0, -1.5, 1e300, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 42)
                        select (kind, name, value);
        var scenario = from d in definition from ops in Gen.ListOf(operation) select (d, ops);

        Prop.ForAll(scenario.ToArbitrary(), s =>
        {
            var ((metricNames, dimensionSets, unit), operations) = s;
            var output = new CapturedOutput();
            EmbeddedMetrics metrics;
            try
            {
                metrics = new EmbeddedMetrics("ns", metricNames.Select(n => new EmfMetric(n, unit)), dimensionSets, output.Sink, TimeProvider.System);
            }
            catch (ArgumentException)
            {
                return true;
            }

            foreach (var (kind, name, value) in operations)
            {
                switch (kind)
                {
                    case 0: metrics.SetDimension(name, name + "-value"); break;
                    case 1: metrics.Flush(); break;
                    default:
                        foreach (var metric in metricNames.Append(name))
                        {
                            metrics.Record(metric, value);
                        }

                        break;
                }
            }

            metrics.Flush();
            foreach (var line in output.Json)
            {
                var directive = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
                var defined = directive.GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()!).ToList();
                if (defined.Count is 0 or > 100)
                {
                    return false;
                }

                foreach (var name in defined)
                {
                    var values = line.GetProperty(name);
                    if (values.ValueKind == JsonValueKind.Array ? values.GetArrayLength() > 100 : values.ValueKind != JsonValueKind.Number)
                    {
                        return false;
                    }
                }

                foreach (var set in directive.GetProperty("Dimensions").EnumerateArray())
                {
                    if (set.GetArrayLength() > 30 || set.EnumerateArray().Any(k => !line.TryGetProperty(k.GetString()!, out var v) || v.ValueKind != JsonValueKind.String))
                    {
                        return false;
                    }
                }
            }

            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}
