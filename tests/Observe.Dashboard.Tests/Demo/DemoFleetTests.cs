using Observe.Dashboard.Demo;
using Observe.Dashboard.Model;
using Observe.Store.Model;

namespace Observe.Dashboard.Tests.Demo;

public class DemoFleetTests
{
    private static readonly DemoFleet Fleet = DemoFleet.Create(seed: 7, count: 300);
    private static readonly DateTimeOffset Noon = new(2026, 11, 18, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Create_SameSeed_SameFleet()
    {
        var again = DemoFleet.Create(seed: 7, count: 300);

        Assert.Equal(Fleet.Functions.Select(Describe), again.Functions.Select(Describe));
    }

    [Fact]
    public void Create_OtherSeed_OtherFleet()
    {
        var other = DemoFleet.Create(seed: 8, count: 300);

        Assert.NotEqual(Fleet.Functions.Select(Describe), other.Functions.Select(Describe));
    }

    [Fact]
    public void Create_Default_IsARealisticMix()
    {
        var functions = Fleet.Functions.Select(f => f.Function).ToList();

        Assert.Equal(300, functions.Count);
        Assert.Equal(300, functions.Select(f => f.Key).Distinct().Count());
        Assert.Equal(2, functions.Select(f => f.Key.AccountId).Distinct().Count());
        Assert.Equal(3, functions.Select(f => f.Key.Region).Distinct().Count());
        var runtimes = functions.Select(f => f.Runtime).ToHashSet();
        foreach (var runtime in new[] { "nodejs16.x", "python3.8", "dotnet6", "nodejs20.x", "nodejs22.x", "python3.12", "python3.13", "dotnet8", "java21", "provided.al2023" })
        {
            Assert.Contains(runtime, runtimes);
        }

        Assert.Contains(functions, f => f is { Runtime: null, PackageType: "Image" });
        Assert.All(functions, f => Assert.InRange(f.MemoryMb, 128, 3008));
        Assert.Contains(functions, f => f.Architecture == "arm64");
        Assert.Contains(functions, f => f.Architecture == "x86_64");
        Assert.All(functions, f => Assert.True(f.Tags.ContainsKey("service") && f.Tags.ContainsKey("env")));
        // A few functions nobody tagged with a team, as in real fleets: the Functions page flags them unowned.
        Assert.InRange(functions.Count(f => !f.Tags.ContainsKey("team")), 3, 30);
        // Slow consumers whose timeout is close to their p99 (3.6 x the average duration).
        Assert.Contains(Fleet.Functions, f => f.DurationMs * 3.6 > 0.8 * f.Function.TimeoutSeconds * 1000);
        Assert.Contains(Fleet.Functions, f => f.MemoryUseHigh < 0.3);
        Assert.InRange(functions.Count(f => f.ProvisionedConcurrency > 0), 1, 30);
        Assert.InRange(Fleet.Functions.Count(f => f.Throttles), 1, 30);
        Assert.InRange(Fleet.Functions.Count(f => f.Bursty), 3, 40);
    }

    [Fact]
    public void Minute_SameSeedFunctionAndMinute_SameFigures()
    {
        var again = DemoFleet.Create(seed: 7, count: 300);

        for (var i = 0; i < 300; i += 7)
        {
            Assert.Equal(Fleet.Minute(Fleet.Functions[i], Noon), again.Minute(again.Functions[i], Noon));
        }
    }

    [Fact]
    public void Minute_OverADay_CountsAreConsistent()
    {
        double invocations = 0, errors = 0, coldStarts = 0, throttles = 0;
        foreach (var f in Fleet.Functions)
        {
            for (var minute = Noon.AddDays(-1); minute < Noon; minute = minute.AddMinutes(7))
            {
                var m = Fleet.Minute(f, minute);
                Assert.InRange(m.Errors, 0, m.Invocations);
                Assert.InRange(m.ColdStarts, 0, m.Invocations);
                Assert.True(m.Throttles >= 0);
                invocations += m.Invocations;
                errors += m.Errors;
                coldStarts += m.ColdStarts;
                throttles += m.Throttles;
            }
        }

        Assert.InRange(errors / invocations, 0.001, 0.05);
        Assert.InRange(coldStarts / invocations, 0.002, 0.1);
        Assert.True(throttles > 0);
    }

    [Fact]
    public void Minute_DailyShape_AfternoonBusierThanNight()
    {
        var api = Fleet.Functions.Where(f => f.Kind == DemoKind.Api && f.Key.Region == "eu-west-1" && f.Function.Tags["env"] == "prod").ToList();

        double Total(int hour) => api.Sum(f => Enumerable.Range(0, 30).Sum(m => Fleet.Minute(f, Noon.Date.AddHours(hour).AddMinutes(m)).Invocations));

        Assert.True(Total(15) > 2 * Total(3), $"15:00 {Total(15)} vs 03:00 {Total(3)}");
    }

    [Fact]
    public void InitDuration_JavaSlowestNativeFastest_AndMoreMemoryFaster()
    {
        double Average(string family) => Fleet.Functions.Where(f => Observe.Dashboard.Demo.DemoCatalog.Family(f.Function.Runtime) == family).Average(f => f.InitMs);

        Assert.True(Average("java") > Average("dotnet"));
        Assert.True(Average("dotnet") > Average("nodejs"));
        Assert.True(Average("nodejs") > Average("provided"));

        var small = Fleet.Functions.Where(f => f.Function is { Runtime: "dotnet8", MemoryMb: <= 512 }).Average(f => f.InitMs);
        var large = Fleet.Functions.Where(f => f.Function is { Runtime: "dotnet8", MemoryMb: >= 1536 }).Average(f => f.InitMs);
        Assert.True(small > large, $"dotnet8 <= 512 MB {small} ms vs >= 1536 MB {large} ms");
    }

    [Fact]
    public void Burst_SomeBurstyFunctionsBurstWithinADay()
    {
        var bursts = Fleet.Functions.Where(f => f.Bursty)
            .Count(f => Enumerable.Range(0, 1440).Any(m => Fleet.Minute(f, Noon.AddMinutes(-m)).InBurst));

        Assert.True(bursts > 0);
        Assert.DoesNotContain(Fleet.Functions.Where(f => !f.Bursty), f => Fleet.Minute(f, Noon).InBurst);
    }

    [Fact]
    public void Partial_ScalesCountsDownAndKeepsDurations()
    {
        var full = new DemoMinute(100, 9, 3, 5, 120, null, false);

        var half = DemoFleet.Partial(full, 0.5);

        Assert.Equal(new DemoMinute(50, 4, 1, 2, 120, null, false), half);
        Assert.Equal(full, DemoFleet.Partial(full, 1));
    }

    [Fact]
    public void Alarms_Evaluate_SomeFireAndCompositesFollowTheirTeams()
    {
        var states = Enumerable.Range(0, 24)
            .Select(h => DemoAlarms.Evaluate(Fleet, Noon.AddHours(-h)))
            .ToList();

        var first = states[0];
        Assert.Equal(first.Count, first.Select(a => a.Arn).Distinct().Count());
        Assert.Contains(first, a => a.Kind == "composite");
        Assert.Contains(first, a => a.State == AlarmState.InsufficientData);
        Assert.Contains(states, s => s.Any(a => a.State == AlarmState.Alarm && a.Kind == "metric"));
        Assert.All(states, s => Assert.All(s.Where(a => a.Kind == "composite"), composite =>
            Assert.Equal(
                s.Any(a => a.Kind == "metric" && a.Name.EndsWith("-error-rate", StringComparison.Ordinal) && a.State == AlarmState.Alarm
                    && a.AccountId == composite.AccountId && a.Region == composite.Region
                    && Fleet.Functions.Single(f => f.Key.Name == a.FunctionName && f.Key.AccountId == a.AccountId && f.Key.Region == a.Region).Team + "-health" == composite.Name),
                composite.State == AlarmState.Alarm)));

        // Each composite's rule names exactly the alarms it follows, so the Alarms page can list them.
        Assert.All(states, s => Assert.All(s.Where(a => a.Kind == "composite"), composite =>
        {
            var children = CompositeAlarmRule.Parse(composite.Rule!).Resolve(composite, s);
            Assert.NotEmpty(children);
            Assert.All(children, c => Assert.Equal("metric", c.Alarm?.Kind));
            Assert.Equal(composite.State == AlarmState.Alarm, children.Any(c => c.Alarm!.State == AlarmState.Alarm));
        }));
    }

    private static string Describe(DemoFunction f) =>
        $"{f.Key} {f.Function.Runtime} {f.Function.MemoryMb} {f.Function.Architecture} {f.PeakPerMinute:0.###} {f.Bursty} {f.Throttles}";
}
