using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Aws;
using Observe.Collectors.LiveTail;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.LiveTail;

/// <summary>The Live Tail service wired by hand as AddObserveLiveTail wires it, over the real AWS layer.</summary>
internal sealed class LiveTailTestHost : IAsyncDisposable
{
    public LiveTailTestHost(AwsOptions aws, LiveTailOptions options, TimeProvider? time = null)
    {
        Aws = new AwsTestHost(aws, time);
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        Client = new LiveTailStreamClient(Aws.Credentials, Aws.Meter, wrapped, NullLogger<LiveTailStreamClient>.Instance);
        Hub = new LiveTailHub(Microsoft.Extensions.Options.Options.Create(aws), wrapped, Client, Aws.Clients, Aws.Time, NullLoggerFactory.Instance);
    }

    public AwsTestHost Aws { get; }
    public LiveTailStreamClient Client { get; }
    public LiveTailHub Hub { get; }

    /// <summary>One account reached with fixed keys (no AssumeRole); FilterLogEvents at <paramref name="logsUrl"/> if given.</summary>
    public static AwsOptions DirectAccount(string accountId, string region, string? logsUrl = null) => new()
    {
        Accounts = [new AwsAccountOptions { AccountId = accountId, Name = "tail", Regions = [region] }],
        Endpoints = new AwsEndpointOptions { Logs = logsUrl ?? "http://127.0.0.1:9/" },
        Retry = new AwsRetryOptions { MaxAttempts = 2, TransientBaseDelay = TimeSpan.FromMilliseconds(1), TransientMaxDelay = TimeSpan.FromMilliseconds(5) },
    };

    public static LiveTailOptions Options(string liveTailUrl, Action<LiveTailOptions>? configure = null)
    {
        var options = new LiveTailOptions
        {
            Endpoint = liveTailUrl,
            Mode = LiveTailMode.LiveTail,
            ReconnectDelay = TimeSpan.FromMilliseconds(20),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        Client.Dispose();
        Aws.Dispose();
    }
}

/// <summary>
/// A viewer driven by a test: each read fails the test after 10 s instead of hanging it, and disposing cancels a
/// pending read first (an async iterator cannot be disposed mid-read), so a failed assertion is not masked.
/// </summary>
internal sealed class TestViewer(IAsyncEnumerable<LiveTailBatch> source) : IAsyncDisposable
{
    private readonly CancellationTokenSource _leave = new();
    private IAsyncEnumerator<LiveTailBatch>? _enumerator;
    private Task<bool>? _pending;

    public Task<bool> MoveNextAsync()
    {
        _enumerator ??= source.GetAsyncEnumerator(_leave.Token);
        return _pending = _enumerator.MoveNextAsync().AsTask();
    }

    public async Task<LiveTailBatch> NextAsync()
    {
        var next = MoveNextAsync();
        await next.WithinAsync("the next batch");
        Assert.True(await next, "the viewer's enumeration ended");
        return _enumerator!.Current;
    }

    public async ValueTask DisposeAsync()
    {
        if (_pending is { IsCompleted: false })
        {
            await _leave.CancelAsync();
            try
            {
                await _pending;
            }
            catch (OperationCanceledException)
            {
                // What leaving looks like from inside the read.
            }
        }

        if (_enumerator is not null)
        {
            await _enumerator.DisposeAsync();
        }

        _leave.Dispose();
    }
}

internal static class TaskExtensions
{
    public static async Task WithinAsync(this Task task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30))) != task)
        {
            throw new TimeoutException($"{what} did not happen within 30 s");
        }

        await task;
    }
}
