using System.Text;
using System.Text.Json;

// What a function does without the package: read the next event, handle it, post the response, repeat.
var runtimeApi = Environment.GetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API")
    ?? throw new InvalidOperationException("AWS_LAMBDA_RUNTIME_API is not set: this sample only runs inside a Lambda custom runtime.");
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false })
{
    BaseAddress = new Uri($"http://{runtimeApi}/2018-06-01/runtime/"),
    Timeout = Timeout.InfiniteTimeSpan,
};

while (true)
{
    using var next = await http.GetAsync(new Uri("invocation/next", UriKind.Relative));
    var requestId = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
    var body = await next.Content.ReadAsByteArrayAsync();
    HttpContent result;
    string outcome;
    try
    {
        var order = JsonSerializer.Deserialize(body, SampleJson.Default.OrderRequest)!;
        if (order.Quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(body), order.Quantity, "An order needs a positive quantity.");
        }

        Console.WriteLine($"Accepted order {order.OrderId} for {order.Quantity} items");
        result = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new OrderReceipt(order.OrderId, "accepted"), SampleJson.Default.OrderReceipt));
        outcome = "response";
    }
    catch (Exception ex) when (ex is JsonException or ArgumentException)
    {
        result = new StringContent($$"""{"errorType":"{{ex.GetType().Name}}","errorMessage":"{{JsonEncodedText.Encode(ex.Message)}}"}""", Encoding.UTF8, "application/json");
        outcome = "error";
    }

    using (result)
    {
        using var posted = await http.PostAsync(new Uri($"invocation/{requestId}/{outcome}", UriKind.Relative), result);
    }
}
