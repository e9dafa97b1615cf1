using Observe.Collectors.Parsing;

namespace Observe.Collectors.Tests.Parsing;

public class ErrorFingerprintTests
{
    private static ErrorEvent Error(string type, string message, params string[] frames)
    {
        var stack = string.Join("\n", frames.Select(f => $"   at {f}"));
        Assert.True(ErrorEventParser.TryParse($"{type}: {message}\n{stack}", out var error, out _));
        return error!;
    }

    [Fact]
    public void SameErrorDifferentNumbers_ShareAFingerprint() =>
        Assert.Equal(
            Error("System.InvalidOperationException", "Order 12345 failed", "Shop.Orders.Place(Order o) in /src/Orders.cs:line 42").Fingerprint,
            Error("System.InvalidOperationException", "Order 999 failed", "Shop.Orders.Place(Order o) in /src/Orders.cs:line 57").Fingerprint);

    [Fact]
    public void DifferentExceptionTypes_DoNotShareAFingerprint() =>
        Assert.NotEqual(
            Error("System.InvalidOperationException", "Order 12345 failed", "Shop.Orders.Place(Order o)").Fingerprint,
            Error("System.ArgumentException", "Order 12345 failed", "Shop.Orders.Place(Order o)").Fingerprint);

    [Fact]
    public void DifferentTopFrames_DoNotShareAFingerprint() =>
        Assert.NotEqual(
            Error("System.InvalidOperationException", "Order 1 failed", "Shop.Orders.Place(Order o)").Fingerprint,
            Error("System.InvalidOperationException", "Order 1 failed", "Shop.Refunds.Issue(Order o)").Fingerprint);

    [Fact]
    public void DifferentWording_DoesNotShareAFingerprint() =>
        Assert.NotEqual(
            Error("System.InvalidOperationException", "Order 1 failed", "Shop.Orders.Place()").Fingerprint,
            Error("System.InvalidOperationException", "Order 1 was cancelled", "Shop.Orders.Place()").Fingerprint);

    [Theory]
    [InlineData("Order 12345 failed", "Order <num> failed")]
    [InlineData("Order 999 failed", "Order <num> failed")]
    [InlineData("Request 6d68ca91-49c9-448d-89b8-7ca3e6dc66aa timed out", "Request <guid> timed out")]
    [InlineData("Bad pointer 0x7ffe1234abcd", "Bad pointer <hex>")]
    [InlineData("Trace 5e7e81317ff0aa55 lost", "Trace <hex> lost")]
    [InlineData("Customer 'Ada Lovelace' not found", "Customer <str> not found")]
    [InlineData("Key \"orders/2026/11\" missing", "Key <str> missing")]
    [InlineData("Can't reach db-7 after 3.5 s", "Can't reach <id> after <num> s")]
    [InlineData("Function arn:aws:lambda:eu-west-1:123456789012:function:x failed", "Function <id> failed")]
    [InlineData("User ord_8f3k2 declined", "User <id> declined")]
    [InlineData("  spaced \t\n  out  ", "spaced out")]
    [InlineData("Value -42 is negative", "Value -<num> is negative")]
    [InlineData("Unclosed 'quote stays", "Unclosed 'quote stays")]
    [InlineData("", "")]
    public void NormaliseMessage_ReplacesWhatVaries(string message, string expected) =>
        Assert.Equal(expected, ErrorFingerprint.NormaliseMessage(message));

    [Fact]
    public void NormaliseMessage_IsCappedInLength() =>
        Assert.Equal(ErrorFingerprint.MaxNormalisedLength, ErrorFingerprint.NormaliseMessage(string.Concat(Enumerable.Repeat("word ", 500))).Length);

    [Theory]
    [InlineData("   at Shop.Orders.Place(Order o) in /src/Orders.cs:line 42", "Shop.Orders.Place")]
    [InlineData("at Shop.Orders.<PlaceAsync>d__5.MoveNext()", "Shop.Orders.PlaceAsync")]
    [InlineData("at Shop.Function.<>c__DisplayClass3_0.<Handle>b__0(Int32 x)", "Shop.Function.<>c__DisplayClass#_#.Handle")]
    [InlineData("at com.example.Handler.handleRequest(Handler.java:42)", "com.example.Handler.handleRequest")]
    [InlineData("    at Runtime.handler (/var/task/index.js:10:11)", "Runtime.handler")]
    [InlineData("  File \"/var/task/app.py\", line 12, in handler", "app.py:handler")]
    [InlineData("--- End of stack trace from previous location ---", null)]
    [InlineData("at System.Runtime.CompilerServices.TaskAwaiter.ThrowForNonSuccess(Task task)", null)]
    [InlineData("Order 5 failed", null)]
    [InlineData("at (anonymous)", null)]
    public void NormaliseFrame_KeepsTheMethod(string line, string? expected) =>
        Assert.Equal(expected, ErrorFingerprint.NormaliseFrame(line));
}
