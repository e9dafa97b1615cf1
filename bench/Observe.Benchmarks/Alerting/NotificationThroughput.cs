using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Alerting.Channels;
using Observe.Alerting.Delivery;
using Observe.Alerting.Lifecycle;
using Observe.Alerting.Rules;
using Observe.Alerting.Tests.Channels;
using Observe.Collectors.Aws;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Benchmarks.Alerting;

/// <summary>
/// Notifications per second, end to end: N notifications queued in the store's outbox (one group each, a realistic
/// three-function payload), the real dispatcher sending them through a signed webhook channel to a loopback HTTP
/// receiver, timed from the dispatcher's start until the receiver got all N and the outbox holds none pending or in
/// flight (each one's delivery attempt logged, begun and finished). Queuing is not timed. Afterwards every request's
/// signature is checked and the log is read back: N delivered attempts, none failed.
/// </summary>
internal static class NotificationThroughput
{
    private const string Secret = "0123456789abcdef0123456789abcdef-bench";

    public static async Task<int> RunAsync(int count, StoreKind kind)
    {
        var bench = await StoreBench.OpenAsync(kind, "notify", reset: true);
        try
        {
            await using var receiver = new LocalReceiver();
            var store = bench.Store;
            var now = DateTimeOffset.UtcNow;
            var lease = await store.TryAcquireLeaseAsync("alerting", "bench", TimeSpan.FromHours(1), now, CancellationToken.None)
                ?? throw new InvalidOperationException("the fresh store's alerting lease is held");

            var queueing = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                await store.EnqueueNotificationAsync(Notification(i, now), CancellationToken.None);
            }

            queueing.Stop();

            var channels = new ChannelsOptions();
            channels.Channels["bench"] = new ChannelOptions { Kind = ChannelKinds.Webhook, WebhookUrl = receiver.At("/bench").ToString(), Secret = Secret };
            using var registry = new ChannelRegistry(Options.Create(channels), Options.Create(new AwsOptions()), TimeProvider.System, NullLogger<ChannelRegistry>.Instance);
            var dispatcher = new NotificationDispatcher(store, registry, Options.Create(new DeliveryOptions()), TimeProvider.System, NullLogger<NotificationDispatcher>.Instance);

            using var stop = new CancellationTokenSource();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var sending = dispatcher.RunAsync(lease, stop.Token);
            var received = new List<ReceivedRequest>(count);
            while (received.Count < count)
            {
                received.Add(await receiver.NextAsync());
            }

            var receivedAll = clock.Elapsed;
            while ((await store.GetNotificationsAsync("pending", 1, CancellationToken.None)).Count > 0
                || (await store.GetNotificationsAsync("sending", 1, CancellationToken.None)).Count > 0)
            {
                // Only the last few completions can still be on their way here.
                await Task.Delay(1);
            }

            var elapsed = clock.Elapsed;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            await stop.CancelAsync();
            await sending;

            var log = await store.GetDeliveryAttemptsAsync("bench", null, count + 10, CancellationToken.None);
            var delivered = log.Count(a => a.Outcome == DeliveryOutcome.Delivered);
            var signed = received.Count(r => WebhookSignature.IsValid(Secret, r.Headers["X-Observe-Timestamp"], r.Headers["X-Observe-Signature"], r.Body, DateTimeOffset.UtcNow));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kind}: {count:N0} notifications queued in {queueing.Elapsed.TotalSeconds:N1} s (not timed); delivered in {elapsed.TotalSeconds:N2} s " +
                $"(receiver had all after {receivedAll.TotalSeconds:N2} s): {count / elapsed.TotalSeconds:N0} notifications/s; " +
                $"CPU {cpu.TotalSeconds:N2} s ({cpu.TotalMilliseconds / count:N2} ms per notification, all threads, receiver included); " +
                $"log: {delivered:N0} delivered of {log.Count:N0} attempts; {signed:N0} signatures valid"));
            return delivered == count && log.Count == count && signed == count ? 0 : 1;
        }
        finally
        {
            await bench.DisposeAsync(delete: true);
        }
    }

    private static NotificationRecord Notification(int i, DateTimeOffset now)
    {
        var group = string.Create(CultureInfo.InvariantCulture, $"rule=error-rate,function=orders-{i:00000}");
        var message = new AlertMessage
        {
            GroupKey = group,
            DedupKey = string.Create(CultureInfo.InvariantCulture, $"observe-bench-{i}"),
            Status = AlertMessageStatus.Firing,
            Severity = AlertSeverity.Critical,
            Title = string.Create(CultureInfo.InvariantCulture, $"Firing: High error rate on orders-{i:00000} (123456789012, eu-west-1)"),
            Since = now,
            Alerts = [.. Enumerable.Range(0, 3).Select(f => new AlertMessageItem(
                "error-rate",
                string.Create(CultureInfo.InvariantCulture, $"123456789012/eu-west-1/orders-{i:00000}-{f}"),
                new Dictionary<string, string>
                {
                    ["rule"] = "error-rate",
                    ["severity"] = "critical",
                    ["account"] = "123456789012",
                    ["region"] = "eu-west-1",
                    ["function"] = string.Create(CultureInfo.InvariantCulture, $"orders-{i:00000}-{f}"),
                },
                AlertMessageStatus.Firing,
                now,
                null,
                "error rate 12.5% over 5 min (threshold 10%)",
                null))],
        };
        return new NotificationRecord
        {
            Id = string.Create(CultureInfo.InvariantCulture, $"bench-{i:000000}"),
            ChannelId = "bench",
            GroupKey = group,
            ContentHash = string.Create(CultureInfo.InvariantCulture, $"hash-{i}"),
            CreatedAt = now.AddTicks(i),
            NextAttemptAt = now,
            Payload = AlertMessageJson.Serialize(message),
            DedupKey = message.DedupKey,
        };
    }
}
