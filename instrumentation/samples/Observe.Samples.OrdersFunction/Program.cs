using Microsoft.Extensions.Logging;
using Observe.Instrumentation;

// Initialization: everything here counts as init duration, once per execution environment.
using var observe = ObserveLambda.Create(o => o.ServiceName = "orders-sample");
var logger = observe.LoggerFactory.CreateLogger("Orders");
using var host = new LambdaRuntimeHost(observe);

await host.RunAsync(_ => ValueTask.FromResult(LambdaRuntimeHost.Json(
    SampleJson.Default.OrderRequest,
    SampleJson.Default.OrderReceipt,
    (order, context, cancellationToken) =>
    {
        if (order.Quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(order), order.Quantity, "An order needs a positive quantity.");
        }

        Log.OrderAccepted(logger, order.OrderId, order.Quantity);
        return ValueTask.FromResult(new OrderReceipt(order.OrderId, "accepted"));
    })));

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Accepted order {OrderId} for {Quantity} items")]
    public static partial void OrderAccepted(ILogger logger, string orderId, int quantity);
}
