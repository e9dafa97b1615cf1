using Observe.Collectors.Parsing;

namespace Observe.Collectors.Tests.Parsing;

public class ErrorEventParserTests
{
    internal const string DotNetText =
        "2026-11-22T10:00:05.123Z\t6d68ca91-49c9-448d-89b8-7ca3e6dc66aa\tfail\tSystem.InvalidOperationException: Order 12345 failed\n" +
        "   at Shop.Orders.<PlaceAsync>d__5.MoveNext() in /src/Orders.cs:line 42\n" +
        "--- End of stack trace from previous location ---\n" +
        "   at System.Runtime.CompilerServices.TaskAwaiter.ThrowForNonSuccess(Task task)\n" +
        "   at Shop.Function.Handler(Request r) in /src/Function.cs:line 17\n" +
        "   at Amazon.Lambda.RuntimeSupport.Bootstrap.InvokeOnceAsync()";

    private static ErrorEvent Parse(string line)
    {
        Assert.True(ErrorEventParser.TryParse(line, out var error, out var malformed), line);
        Assert.False(malformed);
        return error!;
    }

    [Fact]
    public void DotNetTextFormat_FailLevel_ReadsTypeMessageAndAppFrames()
    {
        var error = Parse(DotNetText);

        Assert.Equal(("System.InvalidOperationException", "Order 12345 failed", "Order <num> failed"), (error.ErrorType, error.Message, error.NormalisedMessage));
        Assert.Equal(["Shop.Orders.PlaceAsync", "Shop.Function.Handler", "Amazon.Lambda.RuntimeSupport.Bootstrap.InvokeOnceAsync"], error.Frames);
        Assert.Equal("6d68ca91-49c9-448d-89b8-7ca3e6dc66aa", error.RequestId);
        Assert.StartsWith("   at Shop.Orders.<PlaceAsync>d__5.MoveNext()", error.StackTrace, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-22T10:00:05.123Z\tabc\tinfo\tSystem.InvalidOperationException: only logged as info")]
    [InlineData("2026-11-22T10:00:05.123Z\tabc\twarn\tretrying")]
    [InlineData("START RequestId: abc Version: $LATEST")]
    [InlineData("REPORT RequestId: abc\tDuration: 1 ms")]
    [InlineData("Order 12345 failed")]
    [InlineData("""{"timestamp":"2026-11-22T10:00:05.123Z","level":"Information","message":"Order placed"}""")]
    [InlineData("""{"time":"2026-11-22T10:00:05.123Z","type":"platform.runtimeDone","record":{"requestId":"abc","status":"error","errorType":"Runtime.ExitError"}}""")]
    public void NonErrors_AreNotErrors(string line) => Assert.False(ErrorEventParser.TryParse(line, out _, out _));

    [Fact]
    public void LambdaJsonFormat_DotNetRecord_ReadsErrorFieldsAndStackArray()
    {
        var error = Parse("""{"timestamp":"2026-11-22T10:00:05.123Z","level":"Error","requestId":"8f507cfc-xmpl-4697-b07a-ac58fc914c95","traceId":"Root=1-5e7e8131-7ff0aa5532bfb31045d0a3bb;Parent=53995c3f42cd8ad8;Sampled=1","message":"Failed to place order","errorType":"System.InvalidOperationException","errorMessage":"Order 12345 failed","stackTrace":["at Shop.Orders.Place(Order o) in /src/Orders.cs:line 42","at Shop.Function.Handler(Request r) in /src/Function.cs:line 17"]}""");

        Assert.Equal(("System.InvalidOperationException", "Order 12345 failed"), (error.ErrorType, error.Message));
        Assert.Equal(["Shop.Orders.Place", "Shop.Function.Handler"], error.Frames);
        Assert.Equal(("8f507cfc-xmpl-4697-b07a-ac58fc914c95", "1-5e7e8131-7ff0aa5532bfb31045d0a3bb"), (error.RequestId, error.TraceId));
    }

    [Fact]
    public void LambdaJsonAndTextForms_OfTheSameError_ShareAFingerprint()
    {
        var text = Parse(DotNetText.Replace("12345", "777", StringComparison.Ordinal));
        var json = Parse("""{"level":"Error","message":"x","errorType":"InvalidOperationException","errorMessage":"Order 5 failed","stackTrace":["at Shop.Orders.<PlaceAsync>d__5.MoveNext() in /src/Orders.cs:line 40","at Shop.Function.Handler(Request r)","at Amazon.Lambda.RuntimeSupport.Bootstrap.InvokeOnceAsync()"]}""");

        Assert.Equal(text.Fingerprint, json.Fingerprint);
    }

    [Fact]
    public void ObserveInstrumentationJson_WithExceptionText_ParsesTheException()
    {
        var error = Parse("""{"timestamp":"2026-11-22T10:00:05.123Z","level":"Error","message":"Payment failed for {OrderId}","category":"Shop.Payments","requestId":"r-9","traceId":"Root=1-5e7e8131-7ff0aa5532bfb31045d0a3bb","exception":"Shop.PaymentDeclinedException: Card 4111 declined (code 'do_not_honor')\n   at Shop.Payments.Charge(Card c) in /src/Payments.cs:line 88\n   at Shop.Function.Handler(Request r)"}""");

        Assert.Equal(("Shop.PaymentDeclinedException", "Card 4111 declined (code 'do_not_honor')", "Card <num> declined (code <str>)"), (error.ErrorType, error.Message, error.NormalisedMessage));
        Assert.Equal(["Shop.Payments.Charge", "Shop.Function.Handler"], error.Frames);
        Assert.Equal(("r-9", "1-5e7e8131-7ff0aa5532bfb31045d0a3bb"), (error.RequestId, error.TraceId));
    }

    [Fact]
    public void ObserveInstrumentationJson_WithErrorFields_UsesThem()
    {
        var error = Parse("""{"timestamp":"2026-11-22T10:00:05.123Z","level":"Critical","message":"Unhandled","errorType":"System.TimeoutException","errorMessage":"The operation has timed out after 00:00:30","stackTrace":["at Shop.Db.Query()"],"innerException":{"errorType":"System.IO.IOException","errorMessage":"reset","stackTrace":[]}}""");

        Assert.Equal(("System.TimeoutException", "The operation has timed out after <num>"), (error.ErrorType, error.NormalisedMessage));
        Assert.Equal(["Shop.Db.Query"], error.Frames);
    }

    [Fact]
    public void PowertoolsDotNetJson_ExceptionObject_IsRead()
    {
        var error = Parse("""{"cold_start":false,"xray_trace_id":"1-5e7e8131-7ff0aa5532bfb31045d0a3bb","function_name":"orders-api","function_request_id":"r-10","level":"Error","service":"orders","message":"Something failed","exception":{"type":"System.ArgumentNullException","message":"Value cannot be null. (Parameter 'customerId')","source":"Shop","stackTrace":"   at Shop.Customers.Find(String customerId)\n   at Shop.Function.Handler(Request r)"}}""");

        Assert.Equal(("System.ArgumentNullException", "Value cannot be null. (Parameter <str>)"), (error.ErrorType, error.NormalisedMessage));
        Assert.Equal(["Shop.Customers.Find", "Shop.Function.Handler"], error.Frames);
        Assert.Equal(("r-10", "1-5e7e8131-7ff0aa5532bfb31045d0a3bb"), (error.RequestId, error.TraceId));
    }

    [Fact]
    public void PowertoolsPythonJson_ExceptionTextAndName_ReadsInnermostFramesFirst()
    {
        var error = Parse("""{"level":"ERROR","location":"handler:12","message":"Order failed","timestamp":"2026-11-22 10:00:05,123+0000","service":"orders","exception":"Traceback (most recent call last):\n  File \"/var/task/app.py\", line 12, in handler\n    place(order)\n  File \"/var/task/orders.py\", line 40, in place\n    raise ValueError(f\"order {order_id} invalid\")\nValueError: order 12345 invalid","exception_name":"ValueError","xray_trace_id":"1-5e7e8131-7ff0aa5532bfb31045d0a3bb"}""");

        Assert.Equal(("ValueError", "Order failed"), (error.ErrorType, error.Message));
        Assert.Equal(["orders.py:place", "app.py:handler"], error.Frames);
    }

    [Fact]
    public void PowertoolsTypeScriptJson_ErrorObject_IsRead()
    {
        var error = Parse("""{"level":"ERROR","message":"Unexpected","service":"orders","timestamp":"2026-11-22T10:00:05.123Z","error":{"name":"TypeError","location":"/var/task/index.js:10","message":"Cannot read properties of undefined (reading 'id')","stack":"TypeError: Cannot read properties of undefined (reading 'id')\n    at handler (/var/task/index.js:10:11)\n    at Runtime.handleOnce (file:///var/runtime/index.mjs:1:1)"}}""");

        Assert.Equal(("TypeError", "Cannot read properties of undefined (reading <str>)"), (error.ErrorType, error.NormalisedMessage));
        Assert.Equal(["handler", "Runtime.handleOnce"], error.Frames);
    }

    [Fact]
    public void NodeTextFormat_InvokeError_ReadsTheEmbeddedJson()
    {
        var error = Parse("2026-11-22T10:00:05.123Z\t4b3f2d1e-0000-4000-8000-000000000000\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom 42\",\"stack\":[\"Error: boom 42\",\"    at Runtime.handler (/var/task/index.js:3:9)\"]}");

        Assert.Equal(("Error", "boom <num>", "4b3f2d1e-0000-4000-8000-000000000000"), (error.ErrorType, error.NormalisedMessage, error.RequestId));
        Assert.Equal(["Runtime.handler"], error.Frames);
    }

    [Fact]
    public void PythonTextFormat_UnhandledTraceback_IsRead()
    {
        var error = Parse("[ERROR] KeyError: 'customer'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 5, in handler\n    return event['customer']");

        Assert.Equal(("KeyError", "<str>"), (error.ErrorType, error.NormalisedMessage));
        Assert.Equal(["app.py:handler"], error.Frames);
    }

    [Fact]
    public void PythonTextFormat_LoggedError_IsALoggedError()
    {
        var error = Parse("[ERROR]\t2026-11-22T10:00:05.123Z\tr-11\tpayment provider returned 502");

        Assert.Equal(("LoggedError", "payment provider returned <num>", "r-11"), (error.ErrorType, error.NormalisedMessage, error.RequestId));
    }

    [Fact]
    public void UnhandledExceptionText_IsRead()
    {
        var error = Parse("Unhandled exception. System.NullReferenceException: Object reference not set to an instance of an object.\n   at Shop.Function.Handler(Request r) in /src/Function.cs:line 9");

        Assert.Equal("System.NullReferenceException", error.ErrorType);
        Assert.Equal(["Shop.Function.Handler"], error.Frames);
    }

    [Fact]
    public void BrokenJsonThatClaimsAnError_IsReportedMalformed()
    {
        Assert.False(ErrorEventParser.TryParse("""{"level":"Error","errorType":"System.Exception","errorMessage":"cut""", out _, out var malformed));
        Assert.True(malformed);
    }
}
