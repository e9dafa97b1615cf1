using Observe.Collectors.Parsing;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Parsing;

public class LambdaInitParserTests
{
    private static readonly FunctionKey Function = LambdaReportParserTests.Function;
    private static readonly DateTimeOffset At = LambdaReportParserTests.At;

    [Theory]
    [InlineData("on-demand", InitializationType.OnDemand)]
    [InlineData("provisioned-concurrency", InitializationType.ProvisionedConcurrency)]
    [InlineData("snap-start", InitializationType.SnapStart)]
    public void InitReport_EachType_ReadsTypeDurationAndStatus(string token, InitializationType type)
    {
        var line = $$$$"""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"{{{{token}}}}","phase":"init","status":"success","metrics":{"durationMs":125.33}}}""";

        Assert.Equal(ReportParseOutcome.Parsed, LambdaInitParser.Parse(line, Function, At, out var e, out var skipped));

        Assert.Equal((SkipReason.None, new InitEvent(Function, At, type, 125.33, "success")), (skipped, e));
    }

    [Fact]
    public void InitReport_TimedOut_KeepsTheStatus()
    {
        var line = """{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"invoke","status":"timeout","metrics":{"durationMs":10000.0}}}""";

        LambdaInitParser.Parse(line, Function, At, out var e, out _);

        Assert.Equal("timeout", e!.Status);
    }

    [Theory]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand","status":"success"}}""", nameof(SkipReason.MalformedInitReport))]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"lazy","metrics":{"durationMs":12}}}""", nameof(SkipReason.MalformedInitReport))]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"metrics":{"durationMs":12}}}""", nameof(SkipReason.MalformedInitReport))]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand","metrics":{"durationMs":-1}}}""", nameof(SkipReason.MalformedInitReport))]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-dem""", nameof(SkipReason.MalformedJson))]
    public void InitReport_Unreadable_IsSkippedWithItsReasonNeverGuessed(string line, string reasonName)
    {
        var reason = Enum.Parse<SkipReason>(reasonName);
        Assert.Equal(ReportParseOutcome.Skipped, LambdaInitParser.Parse(line, Function, At, out var e, out var skipped));

        Assert.Equal((reason, (InitEvent?)null), (skipped, e));
    }

    [Theory]
    [InlineData("""{"time":"2026-11-22T10:00:00.000Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init"}}""")]
    [InlineData("""{"level":"Information","message":"saw \"platform.initReport\" in the docs"}""")]
    [InlineData("REPORT RequestId: d1cf0ccb\tDuration: 1 ms\tInit Duration: 841.60 ms")]
    [InlineData("")]
    [InlineData(null)]
    public void OtherLines_AreNotInitReports(string? line)
    {
        Assert.Equal(ReportParseOutcome.NotAReport, LambdaInitParser.Parse(line, Function, At, out var e, out var skipped));

        Assert.Equal((SkipReason.None, (InitEvent?)null), (skipped, e));
    }

    [Fact]
    public void Batch_InitReportNeitherReportNorError_IsCountedAsAnInitEvent()
    {
        var batch = new LambdaLogBatch();

        batch.Add(Function, At, """{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"error","errorType":"Runtime.ExitError","metrics":{"durationMs":88.1}}}""");
        batch.Add(Function, At, """{"time":"2026-11-22T10:00:00.000Z","type":"platform.initReport","record":{"initializationType":"on-demand"}}""");

        Assert.Equal((1L, 0L, 0L, 1L), (batch.Stats.InitEvents, batch.Stats.Reports, batch.Stats.Errors, batch.Stats.Skipped));
        Assert.Equal(1L, batch.Stats.SkippedByReason[SkipReason.MalformedInitReport]);
        Assert.Equal("error", Assert.Single(batch.TakeInitEvents()).Status);
        Assert.Empty(batch.InitEvents);
    }
}
