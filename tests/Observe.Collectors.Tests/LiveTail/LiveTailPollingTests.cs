using System.Text.Json.Nodes;
using Observe.Collectors.LiveTail;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>The FilterLogEvents polling fallback against moto (account 320000000002, reached by AssumeRole).</summary>
public sealed class LiveTailPollingTests : IAsyncLifetime
{
    private const string Account = "320000000002";
    private const string Region = "eu-west-1";

    private readonly LiveTailServer _server = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Tail_PollingMode_DeliversNewEventsOnce_AcrossOverlappingPolls()
    {
        using var seed = new MotoSeeder(Account);
        var group = $"/aws/lambda/poll-{Guid.NewGuid():N}"[..28];
        await seed.PutLogEventsAsync(Region, group, "s1", [(DateTimeOffset.UtcNow.AddMinutes(-10), "history, before the viewer came")]);
        await using var host = new LiveTailTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])), LiveTailTestHost.Options(_server.Url, o => o.Mode = LiveTailMode.Polling));
        await using var viewer = new TestViewer(host.Hub.TailAsync(new LiveTailRequest(Account, Region, [group]), CancellationToken.None));
        var next = viewer.NextAsync();
        await WaitForPollsAsync(host, 1);

        await PutAsync(seed, group, "s2", "first");
        var first = await next;
        Assert.Equal((LiveTailSource.Polling, false), (first.Source, first.Sampled));
        Assert.Equal(["first"], first.Events.Select(e => e.Message));
        Assert.Equal((group, "s2"), (first.Events[0].LogGroup, first.Events[0].LogStream));

        // Each later poll re-reads "first" (inside PollOverlap); only the new event comes through.
        await PutAsync(seed, group, "s3", "second");
        var second = await viewer.NextAsync();
        Assert.Equal(["second"], second.Events.Select(e => e.Message));
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task Tail_LiveTailAccessDenied_FallsBackToPollingFilterLogEvents_InAutoMode()
    {
        // StartLiveTail refused as the API reference documents (AccessDeniedException); FilterLogEvents then runs on moto.
        using var seed = new MotoSeeder(Account);
        var group = $"/aws/lambda/deny-{Guid.NewGuid():N}"[..28];
        await seed.PutLogEventsAsync(Region, group, "s1", [(DateTimeOffset.UtcNow.AddMinutes(-10), "history")]);
        await using var host = new LiveTailTestHost(AwsTestHost.OptionsFor(Moto.Url, (Account, [Region])), LiveTailTestHost.Options(_server.Url, o => o.Mode = LiveTailMode.Auto));
        await using var viewer = new TestViewer(host.Hub.TailAsync(new LiveTailRequest(Account, Region, [group]), CancellationToken.None));
        var next = viewer.NextAsync();
        var exchange = await _server.NextAsync();
        await exchange.RespondErrorAsync(400, "AccessDeniedException", "User is not authorized to perform: logs:StartLiveTail");
        await WaitForPollsAsync(host, 1);

        await PutAsync(seed, group, "s2", "seen by polling");
        var batch = await next;
        Assert.Equal(LiveTailSource.Polling, batch.Source);
        Assert.Equal(["seen by polling"], batch.Events.Select(e => e.Message));
        Assert.Single(_server.Requests);

        // Issue 9 defect 6: in Auto mode the refusal is answered by polling, as designed: not a failed call.
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var start = host.Aws.Meter.GetUsage(today).Concat(host.Aws.Meter.GetUsage(today.AddDays(-1))).Where(u => u.Operation == "StartLiveTail").ToList();
        Assert.Equal((1L, 0L), (start.Sum(u => u.Calls), start.Sum(u => u.FailedCalls)));
    }

    /// <summary>One event, stamped now, in a new stream of an existing group (the seeder's helper creates the group too).</summary>
    private static async Task PutAsync(MotoSeeder seed, string group, string stream, string message)
    {
        await seed.LogsAsync(Region, "CreateLogStream", new JsonObject { ["logGroupName"] = group, ["logStreamName"] = stream });
        await seed.LogsAsync(Region, "PutLogEvents", new JsonObject
        {
            ["logGroupName"] = group,
            ["logStreamName"] = stream,
            ["logEvents"] = new JsonArray(new JsonObject { ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), ["message"] = message }),
        });
    }

    /// <summary>Waits until the fallback has polled, so events put afterwards are newer than its starting point.</summary>
    private static async Task WaitForPollsAsync(LiveTailTestHost host, int polls)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (host.Aws.Meter.GetUsage(DateOnly.FromDateTime(DateTime.UtcNow)).Where(u => u.Operation == "FilterLogEvents").Sum(u => u.Calls) < polls)
        {
            Assert.True(DateTime.UtcNow < deadline, "the fallback did not poll within 30 s");
            await Task.Delay(20);
        }
    }
}
