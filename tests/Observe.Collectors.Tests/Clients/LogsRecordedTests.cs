using System.Net;
using System.Text.Json.Nodes;
using Observe.Collectors.Logs;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Clients;

/// <summary>
/// What moto cannot show: Insights <c>stats</c> results (moto runs fields/sort/limit only) and FilterLogEvents pages
/// that are empty while a nextToken still follows. Responses written from the CloudWatch Logs API reference
/// (GetQueryResults, FilterLogEvents).
/// </summary>
public class LogsRecordedTests
{
    [Fact]
    public async Task GetQueryResults_StatsQuery_RowsByFieldName()
    {
        var transport = new StubTransport((r, _) => r.Target == "Logs_20140328.StartQuery"
            ? (HttpStatusCode.OK, """{"queryId":"12ab3456-12ab-123a-789e-1234567890ab"}""")
            : (HttpStatusCode.OK, StubTransport.Recorded("logs-insights-stats.json")));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var logs = host.Clients.Logs("123456789012", "eu-west-1");
        var start = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        var id = await logs.StartQueryAsync(
            new InsightsQuery(["/aws/lambda/orders-api"], start, start.AddMinutes(10),
                "filter @type = \"REPORT\" | stats count(*) as invocations, count(@initDuration) as coldStarts, avg(@initDuration) as avgInitMs by bin(5m)"),
            CancellationToken.None);
        var results = await logs.GetQueryResultsAsync(id, CancellationToken.None);

        Assert.Equal("12ab3456-12ab-123a-789e-1234567890ab", id);
        Assert.True(results.IsFinished);
        Assert.Equal(["37", "4"], results.Rows.Select(r => r["coldStarts"]));
        Assert.Equal("2026-11-22 10:05:00.000", results.Rows[1]["bin(5m)"]);
        Assert.Equal((2510d, 1843021d), (results.RecordsMatched!.Value, results.BytesScanned!.Value));

        // StartQuery counts in epoch seconds, unlike the rest of the Logs API.
        var startQuery = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal(start.ToUnixTimeSeconds(), startQuery["startTime"]!.GetValue<long>());
        Assert.Equal("/aws/lambda/orders-api", startQuery["logGroupNames"]![0]!.GetValue<string>());
        Assert.Equal("12ab3456-12ab-123a-789e-1234567890ab", JsonNode.Parse(transport.Seen[1].Body)!["queryId"]!.GetValue<string>());
        Assert.All(transport.Seen, r => Assert.Equal("https://logs.eu-west-1.amazonaws.com/", r.Uri.ToString()));
    }

    [Fact]
    public async Task FilterLogEvents_EmptyPageWithToken_IsNotTheEnd()
    {
        var transport = new StubTransport((_, i) => i switch
        {
            0 => (HttpStatusCode.OK, """{"events":[],"searchedLogStreams":[],"nextToken":"t1"}"""),
            1 => (HttpStatusCode.OK, """{"events":[{"logStreamName":"s","timestamp":1763805600000,"message":"REPORT RequestId: x\tDuration: 1.00 ms","ingestionTime":1763805601000,"eventId":"1"}],"nextToken":"t2"}"""),
            _ => (HttpStatusCode.OK, """{"events":[]}"""),
        });
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1763805000000);

        var events = await host.Clients.Logs("123456789012", "eu-west-1").FilterLogEventsAsync(new LogEventFilter("/aws/lambda/orders-api", start, start.AddHours(1)), CancellationToken.None).ToListAsync();

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1763805600000), Assert.Single(events).Time);
        Assert.Equal(3, transport.Seen.Count);
        Assert.Equal([null, "t1", "t2"], transport.Seen.Select(r => JsonNode.Parse(r.Body)!["nextToken"]?.GetValue<string>()));
        var first = JsonNode.Parse(transport.Seen[0].Body)!;
        Assert.Equal((1763805000000L, 1763808600000L), (first["startTime"]!.GetValue<long>(), first["endTime"]!.GetValue<long>()));
        Assert.All(transport.Seen, r => Assert.Equal("Logs_20140328.FilterLogEvents", r.Target));
    }

    [Fact]
    public async Task StartQuery_MoreThan50Groups_IsRefusedBeforeCallingAws()
    {
        var transport = new StubTransport((_, _) => (HttpStatusCode.OK, "{}"));
        using var host = new AwsTestHost(LambdaRecordedTests.DirectAccount(), transport: transport);
        var groups = Enumerable.Range(0, 51).Select(i => $"/aws/lambda/f{i}").ToList();

        await Assert.ThrowsAsync<ArgumentException>(() => host.Clients.Logs("123456789012", "eu-west-1").StartQueryAsync(new InsightsQuery(groups, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow, "fields @message"), CancellationToken.None));
        Assert.Empty(transport.Seen);
    }
}
