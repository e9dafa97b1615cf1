using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Observe.Collectors.Aws;
using Observe.Collectors.Collection;
using Observe.Collectors.Traces;
using Observe.Store;

namespace Observe.Collectors.Tests.Traces;

/// <summary>
/// A store that fails its <see cref="CrashOnTraceWrite"/>-th trace write, as a process dying in the middle of a
/// pass would leave it: what was written before is kept, nothing after.
/// </summary>
public class CrashingStore : DispatchProxy
{
    private int _traceWrites;

    internal IObserveStore Inner { get; private set; } = null!;

    internal int CrashOnTraceWrite { get; private set; }

    internal static IObserveStore Wrap(IObserveStore inner, int crashOnTraceWrite)
    {
        var proxy = DispatchProxy.Create<IObserveStore, CrashingStore>();
        var crashing = (CrashingStore)(object)proxy;
        crashing.Inner = inner;
        crashing.CrashOnTraceWrite = crashOnTraceWrite;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IObserveStore.WriteTracesAsync) && Interlocked.Increment(ref _traceWrites) == CrashOnTraceWrite)
        {
            return Task.FromException(new IOException("simulated crash in the middle of a pass"));
        }

        try
        {
            return targetMethod.Invoke(Inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}

internal static class TracesTestKit
{
    public static TracesCollector Collector(IAwsClientFactory clients, IObserveStore store, TracesCollectorOptions options, TimeProvider time) =>
        new(clients, store, store, store, Microsoft.Extensions.Options.Options.Create(options), time, NullLogger<TracesCollector>.Instance);

    public static CollectionTarget Target(AwsOptions options) => new(options.Accounts[0], options.Accounts[0].Regions[0]);

    public static string TraceId(DateTimeOffset at) => $"1-{at.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..35];

    public static string SegmentId() => Guid.NewGuid().ToString("N")[..16];

    public static double Seconds(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 1000.0;
}

/// <summary>One seeded Lambda invocation: its segment documents and what the collector must make of them.</summary>
internal sealed record SeededTrace(string TraceId, IReadOnlyList<JsonObject> Documents, int SegmentCount, bool Fault, string Function, DateTimeOffset Start)
{
    /// <summary>Set for fake X-Ray summaries only: the segments carry no throttle flag.</summary>
    public bool Throttle { get; init; }
}

/// <summary>
/// Segment documents as Lambda and the X-Ray SDK send them for one invocation (X-Ray developer guide, "AWS Lambda
/// and AWS X-Ray"): the service segment (origin <c>AWS::Lambda</c>), the function segment
/// (<c>AWS::Lambda::Function</c>, its parent) with the <c>Initialization</c> subsegment on a cold start, the
/// <c>Invocation</c> subsegment holding a DynamoDB call, and <c>Overhead</c>.
/// </summary>
internal static class LambdaTraces
{
    public static SeededTrace Invocation(string accountId, string region, string function, DateTimeOffset start, bool coldStart, bool fault)
    {
        var traceId = TracesTestKit.TraceId(start);
        var arn = $"arn:aws:lambda:{region}:{accountId}:function:{function}";
        var serviceId = TracesTestKit.SegmentId();
        var init = coldStart ? 180 : 0;
        var functionStart = start.AddMilliseconds(5 + init);
        var service = new JsonObject
        {
            ["name"] = function,
            ["id"] = serviceId,
            ["trace_id"] = traceId,
            ["start_time"] = TracesTestKit.Seconds(start),
            ["end_time"] = TracesTestKit.Seconds(start.AddMilliseconds(init + 240)),
            ["origin"] = "AWS::Lambda",
            ["resource_arn"] = arn,
            ["http"] = new JsonObject { ["response"] = new JsonObject { ["status"] = 200 } },
            ["aws"] = new JsonObject { ["request_id"] = Guid.NewGuid().ToString() },
        };
        var subsegments = new JsonArray();
        if (coldStart)
        {
            subsegments.Add(new JsonObject
            {
                ["name"] = "Initialization",
                ["id"] = TracesTestKit.SegmentId(),
                ["start_time"] = TracesTestKit.Seconds(start.AddMilliseconds(2)),
                ["end_time"] = TracesTestKit.Seconds(start.AddMilliseconds(2 + init)),
                ["aws"] = new JsonObject { ["function_arn"] = arn },
            });
        }

        var invocation = new JsonObject
        {
            ["name"] = "Invocation",
            ["id"] = TracesTestKit.SegmentId(),
            ["start_time"] = TracesTestKit.Seconds(functionStart),
            ["end_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(200)),
            ["subsegments"] = new JsonArray(new JsonObject
            {
                ["name"] = "DynamoDB",
                ["id"] = TracesTestKit.SegmentId(),
                ["start_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(20)),
                ["end_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(60)),
                ["namespace"] = "aws",
                ["http"] = new JsonObject { ["response"] = new JsonObject { ["status"] = 200 } },
                ["aws"] = new JsonObject { ["operation"] = "PutItem", ["table_name"] = "orders", ["region"] = region, ["request_id"] = Guid.NewGuid().ToString("N") },
            }),
        };
        if (fault)
        {
            invocation["fault"] = true;
            invocation["cause"] = new JsonObject
            {
                ["working_directory"] = "/var/task",
                ["exceptions"] = new JsonArray(new JsonObject { ["id"] = TracesTestKit.SegmentId(), ["type"] = "InvalidOperationException", ["message"] = "order 42 has no lines" }),
            };
        }

        subsegments.Add(invocation);
        subsegments.Add(new JsonObject
        {
            ["name"] = "Overhead",
            ["id"] = TracesTestKit.SegmentId(),
            ["start_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(201)),
            ["end_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(210)),
        });
        var functionSegment = new JsonObject
        {
            ["name"] = function,
            ["id"] = TracesTestKit.SegmentId(),
            ["parent_id"] = serviceId,
            ["trace_id"] = traceId,
            ["start_time"] = TracesTestKit.Seconds(start.AddMilliseconds(2)),
            ["end_time"] = TracesTestKit.Seconds(functionStart.AddMilliseconds(210)),
            ["origin"] = "AWS::Lambda::Function",
            ["resource_arn"] = arn,
            ["aws"] = new JsonObject { ["account_id"] = accountId, ["function_arn"] = arn, ["resource_names"] = new JsonArray(JsonValue.Create(function)) },
            ["annotations"] = new JsonObject { ["tenant"] = "acme", ["attempt"] = 1 },
            ["subsegments"] = subsegments,
        };

        // moto marks a trace faulty when a document has a "fault" key at all, so it is only set when true.
        if (fault)
        {
            functionSegment["fault"] = true;
        }

        return new SeededTrace(traceId, [service, functionSegment], 2 + subsegments.Count + 1, fault, function, start);
    }
}
