using System.Net;
using Observe.Collectors.Logs;
using Observe.Collectors.Parsing;
using Observe.Collectors.Tests.Infrastructure;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Clients;

/// <summary>Against moto, in account 310000000003 reached by AssumeRole.</summary>
public class LogsClientTests
{
    private const string Account = "310000000003";
    private const string Region = "eu-west-1";

    [Fact]
    public async Task FilterLogEvents_PagesThroughReportLines_WhichParseIntoReportsAndErrors()
    {
        using var seed = new MotoSeeder(Account);
        var function = $"logs-{Guid.NewGuid():N}"[..14];
        var group = $"/aws/lambda/{function}";
        // Whole milliseconds: what CloudWatch Logs stores.
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeMilliseconds());
        await seed.PutLogEventsAsync(Region, group, "2026/11/22/[$LATEST]abc", [
            (t0, "START RequestId: 11111111-1111-1111-1111-111111111111 Version: $LATEST"),
            (t0.AddMilliseconds(900), "REPORT RequestId: 11111111-1111-1111-1111-111111111111\tDuration: 812.34 ms\tBilled Duration: 813 ms\tMemory Size: 256 MB\tMax Memory Used: 91 MB\tInit Duration: 402.10 ms\t\nXRAY TraceId: 1-5e7e8131-7ff0aa5532bfb31045d0a3bb\tSegmentId: 0152aa5560163101\tSampled: true"),
            (t0.AddSeconds(5), "2026-11-22T10:00:05.000Z\t22222222-2222-2222-2222-222222222222\tfail\tSystem.InvalidOperationException: Order 12345 failed\n   at Shop.Orders.Place(Order order) in /src/Orders.cs:line 42\n   at Shop.Function.Handler(Request r) in /src/Function.cs:line 17"),
            (t0.AddSeconds(6), "REPORT RequestId: 22222222-2222-2222-2222-222222222222\tDuration: 20.00 ms\tBilled Duration: 20 ms\tMemory Size: 256 MB\tMax Memory Used: 92 MB\tStatus: error\tError Type: Runtime.ExitError"),
            (t0.AddSeconds(9), "2026-11-22T10:00:09.000Z\t33333333-3333-3333-3333-333333333333\tfail\tSystem.InvalidOperationException: Order 999 failed\n   at Shop.Orders.Place(Order order) in /src/Orders.cs:line 42\n   at Shop.Function.Handler(Request r) in /src/Function.cs:line 17"),
            (t0.AddSeconds(10), """{"time":"2026-11-22T10:00:10.000Z","type":"platform.report","record":{"requestId":"33333333-3333-3333-3333-333333333333","status":"success","metrics":{"durationMs":5.5,"billedDurationMs":6,"memorySizeMB":256,"maxMemoryUsedMB":93}}}"""),
            (t0.AddSeconds(11), "REPORT RequestId: this line is cut"),
        ]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var key = new FunctionKey(Account, Region, function);

        // Two events a page: moto follows nextToken like CloudWatch Logs, so this takes several calls.
        var batch = new LambdaLogBatch();
        await foreach (var e in host.Clients.Logs(Account, Region).FilterLogEventsAsync(new LogEventFilter(group, t0.AddMinutes(-1), t0.AddMinutes(1)) { PageSize = 2 }, CancellationToken.None))
        {
            batch.Add(key, e.Time, e.Message);
        }

        Assert.Equal(7, batch.Stats.Events);
        Assert.Equal(4, host.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Single(u => u.Operation == "FilterLogEvents").Calls);

        Assert.Equal(["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"], batch.Reports.Select(r => r.RequestId));
        var cold = batch.Reports[0];
        Assert.True(cold.IsColdStart);
        Assert.Equal((812.34, 813d, 256, 91, 402.10, "1-5e7e8131-7ff0aa5532bfb31045d0a3bb"), (cold.DurationMs, cold.BilledDurationMs, cold.MemorySizeMb, cold.MaxMemoryUsedMb, cold.InitDurationMs!.Value, cold.TraceId!));
        Assert.Equal(t0.AddMilliseconds(900), cold.Timestamp);
        Assert.Equal("error", batch.Reports[1].Status);
        Assert.Equal(5.5, batch.Reports[2].DurationMs);

        // Both orders failed the same way: one group of two.
        var errors = Assert.Single(batch.ErrorOccurrences());
        Assert.Equal((key, "System.InvalidOperationException", "Order 999 failed", 2L), (errors.Function, errors.ErrorType, errors.Message, errors.Count));
        Assert.Equal("33333333-3333-3333-3333-333333333333", errors.SampleRequestId);

        Assert.Equal(1, batch.Stats.Skipped);
        Assert.Equal(1, batch.Stats.SkippedByReason[SkipReason.MalformedReport]);
        Assert.Equal("REPORT RequestId: this line is cut", Assert.Single(batch.Stats.SkippedSamples));
    }

    [Fact]
    public async Task FilterLogEvents_PlainTermFilter_ReturnsOnlyMatchingEvents()
    {
        using var seed = new MotoSeeder(Account);
        var group = $"/aws/lambda/flt-{Guid.NewGuid():N}"[..28];
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-20);
        await seed.PutLogEventsAsync(Region, group, "s1", [
            (t0, "START RequestId: a Version: $LATEST"),
            (t0.AddSeconds(1), "REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB"),
            (t0.AddSeconds(2), "END RequestId: a"),
        ]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));

        var events = await host.Clients.Logs(Account, Region).FilterLogEventsAsync(new LogEventFilter(group, t0.AddMinutes(-1), t0.AddMinutes(1)) { FilterPattern = "REPORT" }, CancellationToken.None).ToListAsync();

        Assert.StartsWith("REPORT RequestId: a", Assert.Single(events).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InsightsQuery_FieldsSortLimit_ReturnsRows()
    {
        using var seed = new MotoSeeder(Account);
        var group = $"/aws/lambda/ins-{Guid.NewGuid():N}"[..28];
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-15);
        await seed.PutLogEventsAsync(Region, group, "s1", [(t0, "first line"), (t0.AddSeconds(1), "second line"), (t0.AddSeconds(2), "third line")]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));
        var logs = host.Clients.Logs(Account, Region);

        var id = await logs.StartQueryAsync(new InsightsQuery([group], t0.AddMinutes(-1), t0.AddMinutes(1), "fields @timestamp, @message | sort @timestamp desc | limit 2"), CancellationToken.None);
        InsightsQueryResults results;
        var polls = 0;
        do
        {
            results = await logs.GetQueryResultsAsync(id, CancellationToken.None);
        }
        while (!results.IsFinished && ++polls < 50);

        Assert.Equal("Complete", results.Status);
        Assert.Equal(["third line", "second line"], results.Rows.Select(r => r["@message"]));
    }

    [Fact]
    public async Task DescribeLogGroups_ByPrefix_FindsTheFunctionsGroup()
    {
        using var seed = new MotoSeeder(Account);
        var group = $"/aws/lambda/dlg-{Guid.NewGuid():N}"[..28];
        await seed.PutLogEventsAsync(Region, group, "s1", [(DateTimeOffset.UtcNow.AddMinutes(-1), "hello")]);
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));

        var groups = await host.Clients.Logs(Account, Region).DescribeLogGroupsAsync(group, CancellationToken.None).ToListAsync();

        Assert.Equal(group, Assert.Single(groups).LogGroupName);
    }

    [Fact]
    public async Task FilterLogEvents_MissingGroup_IsAClientErrorNotRetried()
    {
        using var host = new AwsTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])));

        var error = await Assert.ThrowsAsync<Observe.Collectors.Aws.AwsServiceException>(() => host.Clients.Logs(Account, Region)
            .FilterLogEventsAsync(new LogEventFilter("/aws/lambda/none-" + Guid.NewGuid().ToString("N"), DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow), CancellationToken.None)
            .ToListAsync().AsTask());

        Assert.Equal((HttpStatusCode.BadRequest, "ResourceNotFoundException", 1), (error.StatusCode, error.ErrorCode, error.Attempts));
        Assert.Equal("The specified log group does not exist.", error.AwsMessage);
    }
}
