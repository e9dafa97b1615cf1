using Observe.Collectors.Parsing;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Parsing;

public class LambdaReportParserTests
{
    internal static readonly FunctionKey Function = new("123456789012", "eu-west-1", "orders-api");
    internal static readonly DateTimeOffset At = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private static InvocationReport Parsed(string line)
    {
        Assert.Equal(ReportParseOutcome.Parsed, LambdaReportParser.Parse(line, Function, At, out var report, out var skipped));
        Assert.Equal(SkipReason.None, skipped);
        return report!;
    }

    private static SkipReason Skipped(string line)
    {
        Assert.Equal(ReportParseOutcome.Skipped, LambdaReportParser.Parse(line, Function, At, out var report, out var skipped));
        Assert.Null(report);
        return skipped;
    }

    [Fact]
    public void Text_ColdStartWithXRay_ReadsEveryField()
    {
        // The example from shared/reference/aws-formats.md.
        var report = Parsed("REPORT RequestId: d1cf0ccb-xmpl-46e6-950d-04c96c9b1c5d\tDuration: 4157.16 ms\tBilled Duration: 4200 ms\tMemory Size: 256 MB\tMax Memory Used: 99 MB\tInit Duration: 841.60 ms\t\nXRAY TraceId: 1-5e7e8131-7ff0xmpl32bfb31045d0a3bb\tSegmentId: 0152xmpl6016310f\tSampled: true");

        Assert.Equal(new InvocationReport
        {
            Function = Function,
            RequestId = "d1cf0ccb-xmpl-46e6-950d-04c96c9b1c5d",
            Timestamp = At,
            DurationMs = 4157.16,
            BilledDurationMs = 4200,
            MemorySizeMb = 256,
            MaxMemoryUsedMb = 99,
            InitDurationMs = 841.60,
            Status = "success",
            TraceId = "1-5e7e8131-7ff0xmpl32bfb31045d0a3bb",
        }, report);
        Assert.True(report.IsColdStart);
    }

    [Fact]
    public void Text_WarmInvocation_HasNoInitDuration()
    {
        var report = Parsed("REPORT RequestId: 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tDuration: 2.01 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 84 MB\t");

        Assert.False(report.IsColdStart);
        Assert.Null(report.TraceId);
        Assert.Equal((2.01, 3d, 128, 84), (report.DurationMs, report.BilledDurationMs, report.MemorySizeMb, report.MaxMemoryUsedMb));
    }

    [Fact]
    public void Text_SnapStartRestore_IsARestoreNotAColdStart()
    {
        var report = Parsed("REPORT RequestId: 3a1b2c3d-0000-4000-8000-000000000001\tDuration: 120.40 ms\tBilled Duration: 465 ms\tMemory Size: 1024 MB\tMax Memory Used: 201 MB\tRestore Duration: 344.10 ms\tBilled Restore Duration: 344 ms\t");

        Assert.Equal(344.10, report.RestoreDurationMs);
        Assert.False(report.IsColdStart);
    }

    [Theory]
    [InlineData("Status: timeout", "timeout")]
    [InlineData("Status: error\tError Type: Runtime.ExitError", "error")]
    [InlineData("Status: success", "success")]
    [InlineData("Status: failure", "error")]
    public void Text_Status_IsNormalised(string status, string expected) =>
        Assert.Equal(expected, Parsed($"REPORT RequestId: r-1\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t{status}").Status);

    [Fact]
    public void Text_OlderRuntimeWithFewerFields_StillParses()
    {
        var report = Parsed("REPORT RequestId: r-old\tDuration: 10.5 ms\tMemory Size: 128 MB\t");

        Assert.Equal((10.5, 0d, 128, 0), (report.DurationMs, report.BilledDurationMs, report.MemorySizeMb, report.MaxMemoryUsedMb));
    }

    [Theory]
    [InlineData("REPORT RequestId: \tDuration: 1 ms")]
    [InlineData("REPORT RequestId: abc\tBilled Duration: 1 ms")]
    [InlineData("REPORT RequestId: abc\tDuration: lots ms")]
    [InlineData("REPORT RequestId: abc\tDuration: NaN ms")]
    [InlineData("REPORT RequestId: abc\tDuration: -5 ms")]
    [InlineData("REPORT RequestId: abc Duration: 10.5 ms Billed Duration: 11 ms")]
    [InlineData("REPORT <b>RequestId</b>: <i>8f5c1d2e-0000-4000-8000-000000000009</i>\t<b>Duration</b>: 1.00 ms")]
    [InlineData("REPORT\tRequestId:8f5c1d2e-0000-4000-8000-000000000009\tDuration: 1.00 ms")]
    public void Text_WithoutIdOrDuration_IsSkippedAsMalformed(string line) => Assert.Equal(SkipReason.MalformedReport, Skipped(line));

    [Theory]
    [InlineData("START RequestId: d1cf0ccb-xmpl-46e6-950d-04c96c9b1c5d Version: $LATEST")]
    [InlineData("END RequestId: d1cf0ccb-xmpl-46e6-950d-04c96c9b1c5d")]
    [InlineData("2026-11-22T10:00:00.000Z\tabc\tinfo\tREPORT RequestId: quoted in a message")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("""{"level":"Information","message":"the platform.report arrived"}""")]
    [InlineData("""{"time":"2026-11-22T10:00:00Z","type":"platform.start","record":{"requestId":"abc","version":"$LATEST"},"note":"before \"platform.report\""}""")]
    public void Parse_OtherLines_AreNotReports(string? line) =>
        Assert.Equal(ReportParseOutcome.NotAReport, LambdaReportParser.Parse(line, Function, At, out _, out _));

    [Fact]
    public void Json_PlatformReport_ReadsMetricsAndTraceRoot()
    {
        var report = Parsed("""{"time":"2022-10-12T00:01:15.000Z","type":"platform.report","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","metrics":{"durationMs":693.92,"billedDurationMs":694,"memorySizeMB":128,"maxMemoryUsedMB":84,"initDurationMs":397.68},"tracing":{"spanId":"54565fb41ac79632","type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"},"status":"success"}}""");

        Assert.Equal(new InvocationReport
        {
            Function = Function,
            RequestId = "6d68ca91-49c9-448d-89b8-7ca3e6dc66aa",
            Timestamp = At,
            DurationMs = 693.92,
            BilledDurationMs = 694,
            MemorySizeMb = 128,
            MaxMemoryUsedMb = 84,
            InitDurationMs = 397.68,
            Status = "success",
            TraceId = "1-62e900b2-710d76f009d6e7785905449a",
        }, report);
    }

    [Theory]
    [InlineData("timeout", "timeout")]
    [InlineData("error", "error")]
    [InlineData("failure", "error")]
    public void Json_FailedInvocation_KeepsItsStatus_AndRestoreDuration(string status, string expected)
    {
        var report = Parsed($$"""{"record":{"status":"{{status}}","requestId":"r-2","metrics":{"durationMs":3000.0,"billedDurationMs":3000,"memorySizeMB":512,"maxMemoryUsedMB":512,"restoreDurationMs":250.5},"spans":[{"name":"responseLatency","durationMs":1.2}]},"type":"platform.report","time":"2026-11-22T10:00:00.000Z"}""");

        Assert.Equal((expected, 250.5, (double?)null), (report.Status, report.RestoreDurationMs!.Value, report.InitDurationMs));
    }

    [Theory]
    [InlineData("""{"type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":1.0}}""")]
    [InlineData("""{"type":"platform.report","record":{"metrics":{"durationMs":1.0}}}""")]
    [InlineData("""{"type":"platform.report","record":{"requestId":"r","metrics":{"billedDurationMs":1}}}""")]
    [InlineData("""{"type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":1.0}}} trailing""")]
    [InlineData("""{"type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":"1.0"}}}""")]
    [InlineData("""{"type":"platform.report","record":{"requestId":"r","metrics":{"durationMs":1e400}}}""")]
    public void Json_BrokenReport_IsSkippedAsMalformed(string line) => Assert.Equal(SkipReason.MalformedJson, Skipped(line));

    [Fact]
    public void Json_HugeRecord_IsSkippedAsTooLong() =>
        Assert.Equal(SkipReason.TooLong, Skipped("{\"type\":\"platform.report\",\"pad\":\"" + new string('x', LambdaReportParser.MaxJsonLength) + "\"}"));

    [Fact]
    public void Json_NestedValuesWhereStringsAreExpected_AreSteppedOver()
    {
        var report = Parsed("""{"type":"platform.report","time":{"nested":{"type":"x"}},"record":{"requestId":"r-3","status":["odd"],"metrics":{"durationMs":4.5,"extra":{"durationMs":999}},"tracing":{"value":{"Root":"no"}}}}""");

        Assert.Equal((4.5, "success", (string?)null), (report.DurationMs, report.Status, report.TraceId));
    }
}
