namespace Observe.Dashboard.Demo;

/// <summary>What a demo function does; it decides its traffic shape.</summary>
internal enum DemoKind
{
    Api,
    Queue,
    Stream,
    Scheduled,
}

/// <summary>An error a demo function throws, as a logs collector would group it.</summary>
internal sealed record DemoErrorKind(string ErrorType, string Message, string StackTrace);

/// <summary>The names, runtimes and errors demo functions are made of.</summary>
internal static class DemoCatalog
{
    /// <summary>Example account ids from the AWS documentation: clearly not a real customer's.</summary>
    public static readonly (string AccountId, string Env, (string Region, int Weight)[] Regions, double TrafficScale)[] Accounts =
    [
        ("111122223333", "prod", [("us-east-1", 40), ("eu-west-1", 25), ("ap-southeast-2", 10)], 1.0),
        ("444455556666", "staging", [("us-east-1", 15), ("eu-west-1", 10)], 0.04),
    ];

    /// <summary>Hours from UTC where each region's users are, for the daily shape.</summary>
    public static double UtcOffsetHours(string region) => region switch
    {
        "us-east-1" => -5,
        "eu-west-1" => 0,
        "ap-southeast-2" => 10,
        _ => 0,
    };

    public static readonly (string Service, string Team)[] Services =
    [
        ("orders", "checkout"), ("payments", "checkout"), ("cart", "checkout"), ("billing", "checkout"),
        ("inventory", "fulfilment"), ("shipping", "fulfilment"), ("warehouse", "fulfilment"),
        ("users", "identity"), ("auth", "identity"), ("notifications", "engagement"), ("email", "engagement"),
        ("search", "discovery"), ("catalog", "discovery"), ("recommendations", "discovery"),
        ("reports", "data"), ("analytics", "data"), ("etl", "data"), ("media", "content"), ("thumbnails", "content"),
        ("webhooks", "platform"), ("audit", "platform"),
    ];

    public static readonly (DemoKind Kind, int Weight)[] Kinds =
    [
        (DemoKind.Api, 50), (DemoKind.Queue, 25), (DemoKind.Stream, 10), (DemoKind.Scheduled, 15),
    ];

    public static string[] Actions(DemoKind kind) => kind switch
    {
        DemoKind.Api => ["api-get", "api-list", "api-create", "api-update", "api-delete", "graphql", "authorizer"],
        DemoKind.Queue => ["process-queue", "consume-events", "fanout", "dlq-redrive"],
        DemoKind.Stream => ["stream-processor", "cdc-handler"],
        _ => ["nightly-export", "cleanup", "reconcile", "refresh-cache", "rollup"],
    };

    /// <summary>
    /// Runtimes in roughly the mix a 2026 fleet has, including functions left behind on deprecated ones; null is a
    /// container image.
    /// </summary>
    public static readonly (string? Runtime, int Weight)[] Runtimes =
    [
        ("nodejs22.x", 16), ("nodejs20.x", 12), ("python3.13", 9), ("python3.12", 12), ("dotnet8", 12),
        ("java21", 8), ("provided.al2023", 8), ("nodejs16.x", 5), ("python3.8", 5), ("dotnet6", 4), (null, 5),
    ];


    /// <summary>Typical init duration at 1,024 MB on x86_64, by runtime family (JVM slowest, native binaries fastest).</summary>
    public static double InitMsAt1024(string? runtime) => Family(runtime) switch
    {
        "java" => 2600,
        "dotnet" => runtime == "dotnet6" ? 900 : 760,
        "python" => 260,
        "nodejs" => 190,
        "provided" => 45,
        _ => 950, // container images: image pull and larger packages
    };

    public static string Family(string? runtime) => runtime switch
    {
        null => "image",
        _ when runtime.StartsWith("nodejs", StringComparison.Ordinal) => "nodejs",
        _ when runtime.StartsWith("python", StringComparison.Ordinal) => "python",
        _ when runtime.StartsWith("dotnet", StringComparison.Ordinal) => "dotnet",
        _ when runtime.StartsWith("java", StringComparison.Ordinal) => "java",
        _ => "provided",
    };

    public static DemoErrorKind[] Errors(string? runtime, string functionName) => Family(runtime) switch
    {
        "nodejs" =>
        [
            new("TypeError", "Cannot read properties of undefined (reading 'id')",
                $"TypeError: Cannot read properties of undefined (reading 'id')\n    at handler (/var/task/{functionName}/index.mjs:42:27)\n    at Runtime.handleOnceNonStreaming (file:///var/runtime/index.mjs:1173:29)"),
            new("Error", "connect ETIMEDOUT 10.0.12.34:443",
                "Error: connect ETIMEDOUT 10.0.12.34:443\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1606:16)"),
            new("ValidationError", "\"amount\" must be a positive number",
                "ValidationError: \"amount\" must be a positive number\n    at validate (/var/task/lib/schema.mjs:18:11)\n    at handler (/var/task/index.mjs:25:5)"),
        ],
        "python" =>
        [
            new("KeyError", "'customer_id'",
                "Traceback (most recent call last):\n  File \"/var/task/app.py\", line 31, in handler\n    customer = event['customer_id']\nKeyError: 'customer_id'"),
            new("ClientError", "An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation",
                "Traceback (most recent call last):\n  File \"/var/task/app.py\", line 58, in save\n    table.put_item(Item=item)\nbotocore.exceptions.ClientError: An error occurred (ProvisionedThroughputExceededException) when calling the PutItem operation"),
            new("Sandbox.Timedout", "Task timed out after 30.03 seconds", "Task timed out after 30.03 seconds"),
        ],
        "dotnet" =>
        [
            new("System.NullReferenceException", "Object reference not set to an instance of an object.",
                "System.NullReferenceException: Object reference not set to an instance of an object.\n   at Handlers.Function.HandleAsync(Request request, ILambdaContext context) in /src/Function.cs:line 48"),
            new("Amazon.DynamoDBv2.Model.ProvisionedThroughputExceededException", "Rate of requests exceeds the allowed throughput.",
                "Amazon.DynamoDBv2.Model.ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput.\n   at Amazon.Runtime.Internal.HttpErrorResponseExceptionHandler.HandleExceptionStream(IRequestContext requestContext)\n   at Handlers.Repository.SaveAsync(Order order) in /src/Repository.cs:line 77"),
            new("System.Text.Json.JsonException", "The JSON value could not be converted to System.Decimal. Path: $.amount",
                "System.Text.Json.JsonException: The JSON value could not be converted to System.Decimal. Path: $.amount | LineNumber: 0 | BytePositionInLine: 31.\n   at Handlers.Function.HandleAsync(Request request, ILambdaContext context) in /src/Function.cs:line 31"),
        ],
        "java" =>
        [
            new("java.lang.NullPointerException", "Cannot invoke \"String.length()\" because \"sku\" is null",
                "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"sku\" is null\n\tat com.example.Handler.handleRequest(Handler.java:54)"),
            new("software.amazon.awssdk.services.sqs.model.SqsException", "Service returned HTTP status code 503",
                "software.amazon.awssdk.services.sqs.model.SqsException: Service returned HTTP status code 503\n\tat com.example.Publisher.send(Publisher.java:88)"),
        ],
        "provided" =>
        [
            new("Runtime.ExitError", "runtime error: invalid memory address or nil pointer dereference",
                "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\ngoroutine 1 [running]:\nmain.handler(...)\n\t/src/main.go:61"),
            new("Sandbox.Timedout", "Task timed out after 10.01 seconds", "Task timed out after 10.01 seconds"),
        ],
        _ =>
        [
            new("Runtime.ExitError", "RequestId: exited with error: signal: killed (out of memory)",
                "Runtime exited with error: signal: killed\nRuntime.ExitError"),
            new("Sandbox.Timedout", "Task timed out after 60.06 seconds", "Task timed out after 60.06 seconds"),
        ],
    };
}
