using System.Buffers;
using System.Text.Json;
using Observe.Instrumentation.Internal;
using Observe.Instrumentation.Internal.Logging;

namespace Observe.Instrumentation;

/// <summary>
/// A set of CloudWatch metrics written as Embedded Metric Format log lines, which CloudWatch turns into metrics with
/// no API call. The definition is checked against EMF's limits when constructed (an <see cref="ArgumentException"/>
/// there, during initialization); recording and flushing never throw: a value that cannot be written (unknown metric,
/// NaN or infinite, unknown dimension, a dimension set whose key never got a value) is dropped, counted on the
/// <c>Observe-Instrumentation</c> event source, and said once per process on standard error. Thread-safe.
/// </summary>
public sealed class EmbeddedMetrics
{
    /// <summary>EMF's limit of metric definitions in one directive.</summary>
    public const int MaxMetricsPerDirective = 100;

    /// <summary>EMF's limit of values in one metric's array; a metric reaching it is written out at once.</summary>
    public const int MaxValuesPerMetric = 100;

    /// <summary>The limit of dimension keys in one dimension set (current AWS libraries and the CloudWatch API).</summary>
    public const int MaxDimensionsPerSet = 30;

    private const int MaxNameLength = 255;
    private const int MaxDimensionValueLength = 1024;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JsonLogWriter.Encoder };

    private readonly JsonEncodedText _namespace;
    private readonly EmfMetric[] _metrics;
    private readonly Dictionary<string, int> _metricIndex;
    private readonly string[][] _dimensionSets;
    private readonly HashSet<string> _dimensionKeys;
    private readonly Dictionary<string, string> _dimensionValues = new(StringComparer.Ordinal);
    private readonly List<double>[] _values;
    private readonly LineSink _sink;
    private readonly Notices _notices;
    private readonly string _namespaceName;
    private long _dropped;
    private readonly TimeProvider _time;
    private readonly object _lock = new();
    private int _pending;

    /// <summary>Defines a metric set written to standard output.</summary>
    /// <param name="namespace">The CloudWatch namespace (1 to 255 characters, not starting with <c>AWS/</c>).</param>
    /// <param name="metrics">1 to 100 metrics with distinct names.</param>
    /// <param name="dimensionSets">Dimension sets, each of at most 30 distinct keys; null or empty for metrics without dimensions. Give the keys values with <see cref="SetDimension"/>.</param>
    /// <exception cref="ArgumentException">The definition breaks an EMF or CloudWatch limit; the message says which.</exception>
    public EmbeddedMetrics(string @namespace, IEnumerable<EmfMetric> metrics, IEnumerable<IEnumerable<string>>? dimensionSets = null)
        : this(@namespace, metrics, dimensionSets, LineSink.StandardOutput, TimeProvider.System, Notices.StandardError)
    {
    }

    internal EmbeddedMetrics(string @namespace, IEnumerable<EmfMetric> metrics, IEnumerable<IEnumerable<string>>? dimensionSets, LineSink sink, TimeProvider time, Notices? notices = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _sink = sink;
        _notices = notices ?? Notices.Discard;
        _time = time;
        if (NamespaceProblem(@namespace) is { } problem)
        {
            throw new ArgumentException(problem, nameof(@namespace));
        }

        _namespace = JsonEncodedText.Encode(@namespace, JsonLogWriter.Encoder);
        _namespaceName = @namespace;
        _metrics = [.. metrics];
        if (_metrics.Length is 0 or > MaxMetricsPerDirective)
        {
            throw new ArgumentException($"A metric set has 1 to {MaxMetricsPerDirective} metrics (EMF's limit per directive); {_metrics.Length} were given. Split them into several sets.", nameof(metrics));
        }

        _metricIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _metrics.Length; i++)
        {
            var metric = _metrics[i] ?? throw new ArgumentException("A metric definition is null.", nameof(metrics));
            CheckName(metric.Name, "metric", nameof(metrics));
            if (!Enum.IsDefined(metric.Unit))
            {
                throw new ArgumentException($"Metric '{metric.Name}' has an unknown unit {(int)metric.Unit}.", nameof(metrics));
            }

            if (!_metricIndex.TryAdd(metric.Name, i))
            {
                throw new ArgumentException($"Metric '{metric.Name}' is defined twice.", nameof(metrics));
            }
        }

        _dimensionKeys = new HashSet<string>(StringComparer.Ordinal);
        var sets = new List<string[]>();
        foreach (var set in dimensionSets ?? [])
        {
            var keys = set?.ToArray() ?? throw new ArgumentException("A dimension set is null.", nameof(dimensionSets));
            if (keys.Length > MaxDimensionsPerSet)
            {
                throw new ArgumentException($"A dimension set has at most {MaxDimensionsPerSet} keys; [{string.Join(", ", keys)}] has {keys.Length}.", nameof(dimensionSets));
            }

            foreach (var key in keys)
            {
                CheckName(key, "dimension", nameof(dimensionSets));
                if (_metricIndex.ContainsKey(key))
                {
                    throw new ArgumentException($"'{key}' is both a metric and a dimension; both are keys of the same JSON object.", nameof(dimensionSets));
                }

                _dimensionKeys.Add(key);
            }

            if (keys.Distinct(StringComparer.Ordinal).Count() != keys.Length)
            {
                throw new ArgumentException($"Dimension set [{string.Join(", ", keys)}] repeats a key.", nameof(dimensionSets));
            }

            sets.Add(keys);
        }

        _dimensionSets = [.. sets];
        _values = [.. _metrics.Select(_ => new List<double>())];
    }

    /// <summary>Sets a dimension's value for all later lines; unknown keys and invalid values are dropped and reported.</summary>
    /// <param name="name">A key of one of the dimension sets.</param>
    /// <param name="value">The value (1 to 1,024 characters).</param>
    public void SetDimension(string name, string value)
    {
        if (name is null || !_dimensionKeys.Contains(name))
        {
            Drop(name ?? "(null)", "not a dimension of this metric set");
            return;
        }

        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxDimensionValueLength)
        {
            Drop(name, $"dimension values have 1 to {MaxDimensionValueLength} characters");
            return;
        }

        lock (_lock)
        {
            _dimensionValues[name] = value;
        }
    }

    /// <summary>Adds a value to a metric; the metric's 100th pending value writes a line at once.</summary>
    /// <param name="name">A metric of this set.</param>
    /// <param name="value">A finite number (CloudWatch rejects NaN and infinities).</param>
    public void Record(string name, double value)
    {
        if (name is null || !_metricIndex.TryGetValue(name, out var index))
        {
            Drop(name ?? "(null)", "not defined in this metric set");
            return;
        }

        if (!double.IsFinite(value))
        {
            Drop(name, "the value is not a finite number (CloudWatch rejects NaN and infinities)");
            return;
        }

        lock (_lock)
        {
            var values = _values[index];
            values.Add(value);
            _pending++;
            if (values.Count >= MaxValuesPerMetric)
            {
                WriteLocked();
            }
        }
    }

    /// <summary>Writes the pending values as one EMF line; nothing when none are pending.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            WriteLocked();
        }
    }

    /// <summary>
    /// Reports something this set could not write: every occurrence and a running count on the event source, and once
    /// per process on standard error, since nobody listens to the event source by default and a metric that silently
    /// never appears in CloudWatch is found too late.
    /// </summary>
    private void Drop(string metric, string reason)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        InstrumentationEventSource.Log.MetricDropped(metric, reason);
        InstrumentationEventSource.Log.MetricValuesDropped(_namespaceName, dropped);
        _notices.Once(
            NoticeKind.EmfValuesDropped,
            $"embedded metrics of namespace '{_namespaceName}' dropped a value ({metric}: {reason}). Further drops are not repeated here; "
            + "the Observe-Instrumentation event source reports each one (MetricDropped) and the running count (MetricValuesDropped).");
    }

    /// <summary>Why <paramref name="namespace"/> is not a valid CloudWatch namespace, or null.</summary>
    internal static string? NamespaceProblem(string? @namespace)
    {
        if (string.IsNullOrWhiteSpace(@namespace) || @namespace.Length > MaxNameLength)
        {
            return $"The namespace must have 1 to {MaxNameLength} characters.";
        }

        return @namespace.StartsWith("AWS/", StringComparison.OrdinalIgnoreCase) ? "Namespaces starting with 'AWS/' are reserved for AWS services." : null;
    }

    /// <summary>The built-in set (<c>ColdStart</c>, <c>InitDuration</c>, <c>Restore</c>, <c>Errors</c>); the namespace is checked with <see cref="NamespaceProblem"/> first.</summary>
    internal static EmbeddedMetrics CreateBuiltIn(string @namespace, string functionName, LineSink sink, TimeProvider time, Notices notices)
    {
        var metrics = new EmbeddedMetrics(
            @namespace,
            [new("ColdStart", EmfUnit.Count), new("InitDuration", EmfUnit.Milliseconds), new("Restore", EmfUnit.Count), new("Errors", EmfUnit.Count)],
            [["functionName"]],
            sink,
            time,
            notices);
        metrics.SetDimension("functionName", functionName);
        return metrics;
    }

    internal void WriteInvocation(InvocationStart start, double? initMilliseconds, bool failed)
    {
        if (start == InvocationStart.Cold)
        {
            Record("ColdStart", 1);
            if (initMilliseconds is { } init)
            {
                Record("InitDuration", init);
            }
        }
        else if (start == InvocationStart.Restore)
        {
            Record("Restore", 1);
        }

        if (failed)
        {
            Record("Errors", 1);
        }

        Flush();
    }

    private void WriteLocked()
    {
        if (_pending == 0)
        {
            return;
        }

        try
        {
            var buffer = new ByteBuffer(512);
            using (var w = new Utf8JsonWriter(buffer, WriterOptions))
            {
                w.WriteStartObject();
                w.WriteStartObject("_aws"u8);
                w.WriteNumber("Timestamp"u8, _time.GetUtcNow().ToUnixTimeMilliseconds());
                w.WriteStartArray("CloudWatchMetrics"u8);
                w.WriteStartObject();
                w.WriteString("Namespace"u8, _namespace);
                w.WriteStartArray("Dimensions"u8);
                foreach (var set in _dimensionSets)
                {
                    // A set whose keys lack values would make CloudWatch reject the whole line: leave it out.
                    if (set.All(_dimensionValues.ContainsKey))
                    {
                        w.WriteStartArray();
                        foreach (var key in set)
                        {
                            w.WriteStringValue(key);
                        }

                        w.WriteEndArray();
                    }
                    else
                    {
                        Drop(string.Join(",", set), "dimension set left out: a key has no value (SetDimension)");
                    }
                }

                w.WriteEndArray();
                w.WriteStartArray("Metrics"u8);
                for (var i = 0; i < _metrics.Length; i++)
                {
                    if (_values[i].Count == 0)
                    {
                        continue;
                    }

                    w.WriteStartObject();
                    w.WriteString("Name"u8, _metrics[i].Name);
                    w.WriteString("Unit"u8, UnitName(_metrics[i].Unit));
                    w.WriteNumber("StorageResolution"u8, _metrics[i].HighResolution ? 1 : 60);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();

                foreach (var (key, value) in _dimensionValues)
                {
                    w.WriteString(key, value);
                }

                for (var i = 0; i < _metrics.Length; i++)
                {
                    var values = _values[i];
                    if (values.Count == 1)
                    {
                        w.WriteNumber(_metrics[i].Name, values[0]);
                    }
                    else if (values.Count > 1)
                    {
                        w.WriteStartArray(_metrics[i].Name);
                        foreach (var value in values)
                        {
                            w.WriteNumberValue(value);
                        }

                        w.WriteEndArray();
                    }
                }

                w.WriteEndObject();
            }

            buffer.GetSpan(1)[0] = (byte)'\n';
            buffer.Advance(1);
            _sink.Write(buffer.WrittenSpan);
        }
        catch (Exception ex)
        {
            InstrumentationEventSource.Log.InstrumentationFailed("write embedded metrics", ex);
        }
        finally
        {
            foreach (var values in _values)
            {
                values.Clear();
            }

            _pending = 0;
        }
    }

    private static void CheckName(string? name, string kind, string parameter)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > MaxNameLength)
        {
            throw new ArgumentException($"A {kind} name must have 1 to {MaxNameLength} characters; got '{name}'.", parameter);
        }

        if (name == "_aws")
        {
            throw new ArgumentException($"'_aws' is EMF's metadata key and cannot be a {kind} name.", parameter);
        }
    }

    private static string UnitName(EmfUnit unit) => unit switch
    {
        EmfUnit.BytesPerSecond => "Bytes/Second",
        EmfUnit.KilobytesPerSecond => "Kilobytes/Second",
        EmfUnit.MegabytesPerSecond => "Megabytes/Second",
        EmfUnit.GigabytesPerSecond => "Gigabytes/Second",
        EmfUnit.TerabytesPerSecond => "Terabytes/Second",
        EmfUnit.BitsPerSecond => "Bits/Second",
        EmfUnit.KilobitsPerSecond => "Kilobits/Second",
        EmfUnit.MegabitsPerSecond => "Megabits/Second",
        EmfUnit.GigabitsPerSecond => "Gigabits/Second",
        EmfUnit.TerabitsPerSecond => "Terabits/Second",
        EmfUnit.CountPerSecond => "Count/Second",
        _ => unit.ToString(),
    };
}
