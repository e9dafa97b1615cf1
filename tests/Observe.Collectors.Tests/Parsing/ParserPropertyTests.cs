using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Observe.Collectors.Parsing;
using Observe.Store.Model;

namespace Observe.Collectors.Tests.Parsing;

/// <summary>
/// The parsers read whatever is in customers' log groups: random, truncated and hostile lines must never throw out of
/// them, and what they do parse must be sane.
/// </summary>
public class ParserPropertyTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(2000);

    private static readonly string[] ValidLines =
    [
        "REPORT RequestId: d1cf0ccb-xmpl-46e6-950d-04c96c9b1c5d\tDuration: 4157.16 ms\tBilled Duration: 4200 ms\tMemory Size: 256 MB\tMax Memory Used: 99 MB\tInit Duration: 841.60 ms\t\nXRAY TraceId: 1-5e7e8131-7ff0xmpl32bfb31045d0a3bb\tSegmentId: 0152xmpl6016310f\tSampled: true",
        "REPORT RequestId: r-2\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB\tStatus: timeout",
        """{"time":"2022-10-12T00:01:15.000Z","type":"platform.report","record":{"requestId":"6d68ca91-49c9-448d-89b8-7ca3e6dc66aa","metrics":{"durationMs":693.92,"billedDurationMs":694,"memorySizeMB":128,"maxMemoryUsedMB":84,"initDurationMs":397.68},"tracing":{"type":"X-Amzn-Trace-Id","value":"Root=1-62e900b2-710d76f009d6e7785905449a;Parent=0efbd19962d95b05;Sampled=1"},"status":"success"}}""",
        ErrorEventParserTests.DotNetText,
        """{"timestamp":"2026-11-22T10:00:05.123Z","level":"Error","requestId":"r","message":"m","errorType":"System.InvalidOperationException","errorMessage":"Order 12345 failed","stackTrace":["at Shop.Orders.Place(Order o) in /src/Orders.cs:line 42"]}""",
        """{"level":"Error","message":"x","exception":{"type":"System.ArgumentNullException","message":"Value cannot be null. (Parameter 'id')","stackTrace":"   at Shop.Customers.Find(String id)"}}""",
        """{"level":"ERROR","message":"Order failed","exception":"Traceback (most recent call last):\n  File \"/var/task/app.py\", line 12, in handler\nValueError: order 1 invalid","exception_name":"ValueError"}""",
        "[ERROR] KeyError: 'customer'\nTraceback (most recent call last):\n  File \"/var/task/app.py\", line 5, in handler",
        "2026-11-22T10:00:05.123Z\tabc\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"boom\",\"stack\":[\"Error: boom\",\"    at handler (/var/task/index.js:3:9)\"]}",
    ];

    private static readonly string[] Hostile =
    [
        "\0", "\t", "\n", "\r\n", "{", "}", "[", "\"", "'", "\\", "\\u", "\ud800", "\udfff", ": ", " ms", "1e309", "-1", "NaN",
        "Infinity", "REPORT RequestId: ", "\"platform.report\"", "{\"type\":\"platform.report\",", "\"record\":{", "\"metrics\":",
        "\"durationMs\":", "at ", "   at <", ">d__", "File \"", "Traceback (most recent call last)", "Exception: ", "[ERROR]",
        new string('[', 300), new string('{', 300), new string('9', 400), new string('<', 50),
    ];

    /// <summary>Runs every parser entry point on a line; a throw fails the property.</summary>
    private static bool Survives(string? line)
    {
        var key = new FunctionKey("123456789012", "eu-west-1", "f");
        var outcome = LambdaReportParser.Parse(line, key, DateTimeOffset.UnixEpoch, out var report, out _);
        if (outcome == ReportParseOutcome.Parsed && !(double.IsFinite(report!.DurationMs) && report.DurationMs >= 0 && report.RequestId.Length > 0))
        {
            return false;
        }

        ErrorEventParser.TryParse(line, out var error, out _);
        if (error is not null && (error.Fingerprint.Length != 16 || error.Frames.Count > ErrorFingerprint.TopFrames))
        {
            return false;
        }

        var batch = new LambdaLogBatch();
        batch.Add(key, DateTimeOffset.UnixEpoch, line);
        _ = batch.ErrorOccurrences();
        _ = ErrorFingerprint.NormaliseMessage(line);
        _ = ErrorFingerprint.NormaliseFrame(line);
        return batch.Stats.Events == 1;
    }

    [Fact]
    public void RandomStrings_NeverThrow() =>
        Check.One(Runs, Prop.ForAll(ArbMap.Default.ArbFor<string>(), Survives));

    [Fact]
    public void TruncatedValidLines_NeverThrow()
    {
        var truncated =
            from line in Gen.Elements(ValidLines)
            from length in Gen.Choose(0, line.Length)
            select line[..length];

        Check.One(Runs, Prop.ForAll(truncated.ToArbitrary(), Survives));
    }

    [Fact]
    public void HostileEdits_NeverThrow()
    {
        // Valid lines with hostile fragments spliced in at random places, or characters dropped.
        var edit =
            from line in Gen.Elements(ValidLines)
            from at in Gen.Choose(0, line.Length)
            from fragment in Gen.Elements(Hostile)
            from dropInstead in Gen.Elements(true, false)
            select dropInstead && at < line.Length ? line.Remove(at, 1) : line.Insert(at, fragment);
        var repeated =
            from edits in Gen.ListOf(edit)
            select string.Concat(edits);

        Check.One(Runs, Prop.ForAll(Gen.OneOf(edit, repeated).ToArbitrary(), Survives));
    }

    [Fact]
    public void ShortDecimalFastPath_EqualsDoubleParse()
    {
        var decimals =
            from whole in Gen.Choose(0, int.MaxValue)
            from fractionDigits in Gen.Choose(0, 6)
            from fraction in Gen.Choose(0, 999_999)
            select fractionDigits == 0
                ? whole.ToString(CultureInfo.InvariantCulture)
                : $"{whole.ToString(CultureInfo.InvariantCulture)}.{(fraction % (int)Math.Pow(10, fractionDigits)).ToString(CultureInfo.InvariantCulture).PadLeft(fractionDigits, '0')}";

        Check.One(Runs, Prop.ForAll(decimals.ToArbitrary(), text =>
            !LambdaReportParser.TryParseShortDecimal(text, out var fast)
            || fast.Equals(double.Parse(text, CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void GeneratedReportLines_ParseBackToTheirFields()
    {
        var lines =
            from duration in Gen.Choose(0, 900_000)
            from memory in Gen.Elements(128, 256, 512, 1024, 10240)
            from used in Gen.Choose(1, 10240)
            from init in Gen.Choose(-1, 10_000)
            select (Duration: duration / 100.0, Memory: memory, Used: used, Init: init);

        Check.One(Runs, Prop.ForAll(lines.ToArbitrary(), f =>
        {
            var text = string.Create(CultureInfo.InvariantCulture,
                $"REPORT RequestId: 0f0e0d0c-0000-4000-8000-000000000000\tDuration: {f.Duration:F2} ms\tBilled Duration: {Math.Ceiling(f.Duration)} ms\tMemory Size: {f.Memory} MB\tMax Memory Used: {f.Used} MB\t{(f.Init >= 0 ? $"Init Duration: {f.Init / 100.0:F2} ms\t" : "")}");
            LambdaReportParser.Parse(text, LambdaReportParserTests.Function, LambdaReportParserTests.At, out var report, out _);
            return report is not null
                && Math.Abs(report.DurationMs - f.Duration) < 0.005
                && report.MemorySizeMb == f.Memory
                && report.MaxMemoryUsedMb == f.Used
                && report.IsColdStart == (f.Init >= 0);
        }));
    }
}
