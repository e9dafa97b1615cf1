using System.Globalization;
using Observe.Store.Model;

namespace Observe.Dashboard.Demo;

/// <summary>A demo function: its inventory record and the traits that shape its figures.</summary>
internal sealed record DemoFunction
{
    public required int Index { get; init; }
    public required LambdaFunction Function { get; init; }
    public required DemoKind Kind { get; init; }
    public required string Service { get; init; }
    public required string Team { get; init; }
    public required double UtcOffsetHours { get; init; }

    /// <summary>Invocations per minute at the daily peak (Api, Queue, Stream).</summary>
    public required double PeakPerMinute { get; init; }

    /// <summary>Scheduled functions run once every this many minutes.</summary>
    public required int EveryMinutes { get; init; }

    public required double BaseErrorRate { get; init; }

    /// <summary>Has error bursts (a bad deploy, a failing dependency) a few times a day.</summary>
    public required bool Bursty { get; init; }

    /// <summary>Reserved concurrency below its peak demand, so it throttles at peak hours.</summary>
    public required bool Throttles { get; init; }

    public required bool Traced { get; init; }
    public required double DurationMs { get; init; }
    public required double InitMs { get; init; }
    public required IReadOnlyList<DemoErrorKind> ErrorKinds { get; init; }

    /// <summary>The share of its memory an invocation uses, drawn between these two for each report.</summary>
    public double MemoryUseLow { get; init; } = 0.18;

    public double MemoryUseHigh { get; init; } = 0.75;

    /// <summary>The Lambda Insights extension's traits when the function runs it (as a layer, or inside its image); null otherwise.</summary>
    public DemoInsights? Insights { get; init; }

    public FunctionKey Key => Function.Key;
}

/// <summary>
/// What the Lambda Insights extension measures of a demo function, per invocation: the share of a CPU its code keeps
/// busy while it runs (Lambda gives a whole vCPU at 1,769 MB, a share below) and the bytes it sends and receives.
/// </summary>
internal sealed record DemoInsights(double CpuShare, double NetworkBytesPerInvocation);

/// <summary>One minute of a function's Insights measurements, drawn per minute: the figures of <see cref="DemoMinute"/> scale them.</summary>
internal readonly record struct DemoInsightsMinute(double MemoryShareMax, double CpuMsPerInvocation, double InitMaxMs);

/// <summary>One function's figures for one whole minute.</summary>
internal readonly record struct DemoMinute(
    double Invocations,
    double Errors,
    double Throttles,
    double ColdStarts,
    double DurationAvgMs,
    double? IteratorAgeMs,
    bool InBurst,
    DemoInsightsMinute? Insights = null);

/// <summary>
/// The demo fleet: a deterministic inventory built from the seed, and each minute's figures derived from
/// (seed, function, minute) alone, so a restart writes exactly what was written before and writes are idempotent.
/// </summary>
internal sealed class DemoFleet
{
    /// <summary>Where LastModified dates count back from: fixed, so the inventory does not depend on the start time.</summary>
    private static readonly DateTimeOffset InventoryEpoch = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    private DemoFleet(int seed, IReadOnlyList<DemoFunction> functions)
    {
        Seed = seed;
        Functions = functions;
    }

    public int Seed { get; }

    public IReadOnlyList<DemoFunction> Functions { get; }

    public static DemoFleet Create(int seed, int count)
    {
        var functions = new List<DemoFunction>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var placements = DemoCatalog.Accounts
            .SelectMany(a => a.Regions.Select(r => ((a.AccountId, a.Env, r.Region, a.TrafficScale), r.Weight)))
            .ToArray();

        for (var i = 0; i < count; i++)
        {
            var rng = DemoRandom.For(seed, i, 0, DemoPurpose.Inventory);
            var (accountId, env, region, trafficScale) = rng.Pick(placements);
            var (service, team) = DemoCatalog.Services[rng.Next(DemoCatalog.Services.Length)];
            var kind = rng.Pick(DemoCatalog.Kinds);
            var actions = DemoCatalog.Actions(kind);
            var baseName = $"{service}-{actions[rng.Next(actions.Length)]}";
            var name = baseName;
            for (var n = 2; !names.Add($"{accountId}/{region}/{name}"); n++)
            {
                name = $"{baseName}-v{n}";
            }

            var runtime = rng.Pick(DemoCatalog.Runtimes);
            var family = DemoCatalog.Family(runtime);
            var memory = PickMemory(ref rng, family);
            var architecture = runtime is not null && rng.NextDouble() < 0.4 ? "arm64" : "x86_64";
            var prod = env == "prod";

            var peak = kind switch
            {
                DemoKind.Api => Math.Clamp(120 * Math.Exp(1.2 * rng.NextGaussian()), 2, 6000),
                DemoKind.Queue => Math.Clamp(60 * Math.Exp(1.0 * rng.NextGaussian()), 1, 3000),
                DemoKind.Stream => Math.Clamp(400 * Math.Exp(0.8 * rng.NextGaussian()), 20, 8000),
                _ => 0,
            } * trafficScale;

            var errorTier = rng.NextDouble();
            var baseErrorRate = errorTier switch
            {
                < 0.70 => rng.Between(0.0005, 0.003),
                < 0.95 => rng.Between(0.005, 0.02),
                _ => rng.Between(0.03, 0.06),
            };

            var bursty = prod && rng.NextDouble() < 0.08;
            var throttles = prod && kind is DemoKind.Api or DemoKind.Queue && rng.NextDouble() < 0.04;
            var provisioned = prod && kind == DemoKind.Api && family is "java" or "dotnet" && rng.NextDouble() < 0.25
                ? 5 * (1 + rng.Next(10))
                : 0;

            var duration = kind switch
            {
                DemoKind.Api => Math.Clamp(90 * Math.Exp(0.6 * rng.NextGaussian()), 8, 2500),
                DemoKind.Queue => Math.Clamp(600 * Math.Exp(0.7 * rng.NextGaussian()), 40, 20000),
                DemoKind.Stream => Math.Clamp(250 * Math.Exp(0.5 * rng.NextGaussian()), 20, 5000),
                _ => Math.Clamp(20_000 * Math.Exp(0.9 * rng.NextGaussian()), 500, 600_000),
            };

            // Bigger memory means more CPU, so init gets faster; arm64 is a little faster for the same size.
            var init = DemoCatalog.InitMsAt1024(runtime) * Math.Pow(1024.0 / memory, 0.45)
                * (architecture == "arm64" ? 0.93 : 1.0) * Math.Exp(0.15 * rng.NextGaussian());

            var errors = DemoCatalog.Errors(runtime, name);
            var errorKindCount = 1 + rng.Next(Math.Min(3, errors.Length));
            var timeout = kind switch
            {
                DemoKind.Api => 30,
                DemoKind.Scheduled => 900,
                _ => 300,
            };

            // What a real fleet also has, for the Functions page's flags: functions nobody tagged with a team, some
            // sized far above what they use or close to their limit, and slow consumers with a timeout near their p99
            // (3.6 x the average, see Minute). A stream of its own, so every other draw stays as it was.
            var variety = DemoRandom.For(seed, i, 0, DemoPurpose.Variety);
            var unowned = variety.NextDouble() < 0.05;
            var memoryUse = variety.NextDouble() switch
            {
                < 0.08 => (0.10, 0.25),
                < 0.12 => (0.80, 0.97),
                _ => (0.18, 0.75),
            };
            if (kind != DemoKind.Scheduled && duration >= 1000 && variety.NextDouble() < 0.3)
            {
                timeout = (int)Math.Ceiling(duration * 4 / 1000);
            }

            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["team"] = team,
                ["service"] = service,
                ["env"] = env,
            };
            if (unowned)
            {
                tags.Remove("team");
            }

            var insights = PickInsights(seed, i, kind, memory);

            var function = new LambdaFunction
            {
                Key = new FunctionKey(accountId, region, name),
                Arn = $"arn:aws:lambda:{region}:{accountId}:function:{name}",
                Runtime = runtime,
                Architecture = architecture,
                MemoryMb = memory,
                TimeoutSeconds = timeout,
                CodeSizeBytes = runtime is null ? 0 : (long)(Math.Exp(rng.Between(11, 17.5))),
                PackageType = runtime is null ? "Image" : "Zip",
                LastModified = InventoryEpoch.AddMinutes(-rng.Next(900 * 24 * 60)),
                Tags = tags,
                ProvisionedConcurrency = provisioned,
                ReservedConcurrency = throttles ? 2 + rng.Next(8) : null,
                LastSeen = InventoryEpoch,
                // A container image carries the extension inside the image, where no layer list shows it.
                Layers = insights is not null && runtime is not null ? [InsightsLayerArn(region, architecture)] : [],
            };

            functions.Add(new DemoFunction
            {
                Index = i,
                Function = function,
                Kind = kind,
                Service = service,
                Team = team,
                UtcOffsetHours = DemoCatalog.UtcOffsetHours(region),
                PeakPerMinute = peak,
                EveryMinutes = kind == DemoKind.Scheduled ? new[] { 5, 15, 60, 60 }[rng.Next(4)] : 0,
                BaseErrorRate = baseErrorRate,
                Bursty = bursty,
                Throttles = throttles,
                Traced = kind == DemoKind.Api && rng.NextDouble() < 0.4,
                DurationMs = duration,
                InitMs = init,
                ErrorKinds = errors.Take(errorKindCount).ToArray(),
                MemoryUseLow = memoryUse.Item1,
                MemoryUseHigh = memoryUse.Item2,
                Insights = insights,
            });
        }

        return new DemoFleet(seed, functions);
    }

    /// <summary>
    /// About a quarter of the fleet runs the Lambda Insights extension, as teams add it to the functions they watch
    /// closely. A stream of its own, so every other draw stays as it was.
    /// </summary>
    private static DemoInsights? PickInsights(int seed, int index, DemoKind kind, int memoryMb)
    {
        var rng = DemoRandom.For(seed, index, 0, DemoPurpose.Insights);
        if (rng.NextDouble() >= 0.25)
        {
            return null;
        }

        var cpuShare = rng.Between(0.25, 0.8) * Math.Min(1, memoryMb / 1769.0);
        var network = kind switch
        {
            DemoKind.Api => rng.Between(4_000, 60_000),
            DemoKind.Scheduled => rng.Between(200_000, 5_000_000),
            _ => rng.Between(1_000, 20_000),
        };
        return new DemoInsights(cpuShare, Math.Round(network));
    }

    /// <summary>
    /// The extension's layer as AWS publishes it in the demo's regions (from account 580247275435, one layer name per
    /// architecture); the version is one AWS has published, fixed so the inventory does not change.
    /// </summary>
    private static string InsightsLayerArn(string region, string architecture) => architecture == "arm64"
        ? $"arn:aws:lambda:{region}:580247275435:layer:LambdaInsightsExtension-Arm64:20"
        : $"arn:aws:lambda:{region}:580247275435:layer:LambdaInsightsExtension:53";

    /// <summary>Memory as teams set it: managed runtimes get more (their init needs CPU), scripts and native binaries less.</summary>
    private static int PickMemory(ref DemoRandom rng, string family)
    {
        (int, int)[] choices = family switch
        {
            "java" or "dotnet" => [(512, 2), (1024, 4), (1536, 2), (2048, 2), (3008, 1)],
            "image" => [(1024, 2), (2048, 2), (3008, 1)],
            "provided" => [(128, 3), (256, 3), (512, 2), (1024, 1)],
            _ => [(128, 2), (256, 4), (512, 3), (768, 1), (1024, 2), (1536, 1)],
        };
        return rng.Pick(choices);
    }

    /// <summary>The function's figures for the whole minute starting at <paramref name="minute"/>.</summary>
    public DemoMinute Minute(DemoFunction f, DateTimeOffset minute)
    {
        var minuteNumber = minute.ToUnixTimeSeconds() / 60;
        var rng = DemoRandom.For(Seed, f.Index, minuteNumber, DemoPurpose.Traffic);

        var burst = Burst(f, minuteNumber);
        double demand;
        if (f.Kind == DemoKind.Scheduled)
        {
            // Runs on its schedule, offset per function so not every job fires at :00.
            demand = (minuteNumber + f.Index) % f.EveryMinutes == 0 ? 1 : 0;
        }
        else
        {
            var noise = Math.Max(0, 1 + ((f.Kind == DemoKind.Queue ? 0.3 : 0.12) * rng.NextGaussian()));
            demand = rng.RoundStochastic(f.PeakPerMinute * DailyShape(f, minute) * noise);
        }

        double throttles = 0;
        var invocations = demand;
        if (f.Throttles)
        {
            // Reserved concurrency caps what runs; the rest of the peak is throttled.
            var capacity = Math.Max(1, Math.Round(f.PeakPerMinute * 0.7));
            throttles = Math.Max(0, demand - capacity);
            invocations = demand - throttles;
        }

        var errorRng = DemoRandom.For(Seed, f.Index, minuteNumber, DemoPurpose.Errors);
        var errorRate = burst is { } b ? b.ErrorRate : f.BaseErrorRate;
        var errors = errorRng.Binomial(invocations, errorRate);

        var coldRng = DemoRandom.For(Seed, f.Index, minuteNumber, DemoPurpose.ColdStarts);
        var coldStarts = coldRng.Binomial(invocations, ColdStartProbability(f, invocations));

        var durationRng = DemoRandom.For(Seed, f.Index, minuteNumber, DemoPurpose.Duration);
        var duration = f.DurationMs * Math.Exp(0.1 * durationRng.NextGaussian()) * (burst is null ? 1.0 : 1.7);

        double? iteratorAge = f.Kind == DemoKind.Stream
            ? Math.Round((burst is null ? 300 : 45_000) * Math.Exp(0.4 * durationRng.NextGaussian()))
            : null;

        DemoInsightsMinute? insights = null;
        if (f.Insights is { } traits)
        {
            // The busiest invocation of the minute sits in the upper half of the function's memory use; CPU time
            // follows the minute's duration; a longer init than the function's usual now and then.
            var insightsRng = DemoRandom.For(Seed, f.Index, minuteNumber, DemoPurpose.Insights);
            var memoryShare = insightsRng.Between((f.MemoryUseLow + f.MemoryUseHigh) / 2, f.MemoryUseHigh);
            var cpuMs = duration * traits.CpuShare * Math.Exp(0.1 * insightsRng.NextGaussian());
            var initMs = f.InitMs * Math.Exp(0.15 * Math.Abs(insightsRng.NextGaussian()));
            insights = new DemoInsightsMinute(memoryShare, Math.Min(cpuMs, duration), initMs);
        }

        return new DemoMinute(invocations, errors, throttles, coldStarts, duration, iteratorAge, burst is not null, insights);
    }

    /// <summary>
    /// Whether an error burst covers the minute: each three-hour block of a bursty function may hold one burst of
    /// 8 to 30 minutes at 15-45% errors, decided by the block alone.
    /// </summary>
    public (double ErrorRate, long StartMinute)? Burst(DemoFunction f, long minuteNumber)
    {
        if (!f.Bursty)
        {
            return null;
        }

        const int block = 180;
        var blockNumber = Math.DivRem(minuteNumber, block, out var offset);
        if (offset < 0)
        {
            blockNumber--;
            offset += block;
        }

        var rng = DemoRandom.For(Seed, f.Index, blockNumber, DemoPurpose.Burst);
        if (rng.NextDouble() >= 0.35)
        {
            return null;
        }

        var start = rng.Next(block - 30);
        var length = 8 + rng.Next(23);
        var rate = rng.Between(0.15, 0.45);
        return offset >= start && offset < start + length ? (rate, (blockNumber * block) + start) : null;
    }

    /// <summary>
    /// Traffic through the day in the region's local time: lowest around 03:30, highest around 15:30; weekends
    /// quieter for user-facing functions.
    /// </summary>
    private static double DailyShape(DemoFunction f, DateTimeOffset minute)
    {
        var local = minute.UtcDateTime.AddHours(f.UtcOffsetHours);
        var hour = local.TimeOfDay.TotalHours;
        var shape = 0.25 + (0.75 * (0.5 - (0.5 * Math.Cos(2 * Math.PI * (hour - 3.5) / 24))));
        var weekend = local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
        return f.Kind == DemoKind.Api && weekend ? shape * 0.6 : shape;
    }

    /// <summary>
    /// Few invocations a minute means execution environments expire between them, so most are cold; busy functions
    /// keep warm environments. Provisioned concurrency absorbs most of the rest.
    /// </summary>
    private static double ColdStartProbability(DemoFunction f, double invocations)
    {
        double p;
        if (f.Kind == DemoKind.Scheduled)
        {
            p = f.EveryMinutes >= 15 ? 0.9 : 0.3;
        }
        else
        {
            p = 0.003 + (0.45 / (1 + (invocations / 3)));
        }

        return f.Function.ProvisionedConcurrency > 0 ? p * 0.08 : p;
    }

    /// <summary>Figures of the partial minute: counts scaled by how much of the minute has passed, rounded down.</summary>
    public static DemoMinute Partial(DemoMinute full, double fraction)
    {
        fraction = Math.Clamp(fraction, 0, 1);
        return full with
        {
            Invocations = Math.Floor(full.Invocations * fraction),
            Errors = Math.Floor(full.Errors * fraction),
            Throttles = Math.Floor(full.Throttles * fraction),
            ColdStarts = Math.Floor(full.ColdStarts * fraction),
        };
    }

    public static MetricPoint ToMetricPoint(DemoFunction f, DateTimeOffset minute, DemoMinute m)
    {
        var ran = m.Invocations > 0;

        // The Insights extension reports only from invocations: a minute without any has no Insights figure, not 0.
        var insights = ran ? m.Insights : null;
        return new MetricPoint
        {
            Function = f.Key,
            Minute = minute,
            Invocations = m.Invocations,
            Errors = m.Errors,
            Throttles = m.Throttles,
            ColdStarts = m.ColdStarts,
            DurationAvgMs = ran ? Math.Round(m.DurationAvgMs, 2) : null,
            DurationP50Ms = ran ? Math.Round(m.DurationAvgMs * 0.8, 2) : null,
            DurationP90Ms = ran ? Math.Round(m.DurationAvgMs * 1.9, 2) : null,
            DurationP99Ms = ran ? Math.Round(m.DurationAvgMs * 3.6, 2) : null,
            ConcurrentExecutions = ran ? Math.Ceiling(m.Invocations / 60 * m.DurationAvgMs / 1000 * 1.5) : null,
            IteratorAgeMs = m.IteratorAgeMs,
            InsightsMemoryUtilizationMax = insights is { } memory ? Math.Round(memory.MemoryShareMax * 100, 1) : null,
            InsightsUsedMemoryMaxMb = insights is { } used ? Math.Round(used.MemoryShareMax * f.Function.MemoryMb) : null,
            InsightsCpuTotalTimeMs = insights is { } cpu ? Math.Round(m.Invocations * cpu.CpuMsPerInvocation, 1) : null,
            InsightsNetworkBytes = insights is not null ? Math.Round(m.Invocations * f.Insights!.NetworkBytesPerInvocation) : null,
            InsightsInitDurationMaxMs = m.ColdStarts > 0 && insights is { } init ? Math.Round(init.InitMaxMs, 1) : null,
        };
    }

    public static string FormatMinute(DateTimeOffset minute) => minute.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
