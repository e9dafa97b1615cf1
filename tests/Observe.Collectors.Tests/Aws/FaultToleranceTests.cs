using System.Net;
using Observe.Collectors.Aws;
using Observe.Collectors.Tests.Infrastructure;

namespace Observe.Collectors.Tests.Aws;

/// <summary>
/// The pipeline behind a fault-injecting proxy in front of moto (account 310000000005): retried calls return exactly
/// what a fault-free call returns, and the meter counts every attempt.
/// </summary>
public sealed class FaultToleranceTests : IAsyncLifetime
{
    private const string Account = "310000000005";
    private const string Region = "eu-west-1";
    private readonly string _prefix = $"flt-{Guid.NewGuid():N}"[..12];
    private FaultProxy _proxy = null!;

    public async Task InitializeAsync()
    {
        using var seed = new MotoSeeder(Account);
        await seed.CreateFunctionAsync(Region, $"{_prefix}-a", new Dictionary<string, string> { ["team"] = "a" });
        await seed.CreateFunctionAsync(Region, $"{_prefix}-b");
        _proxy = new FaultProxy(Moto.Url);
    }

    public async Task DisposeAsync() => await _proxy.DisposeAsync();

    [Theory]
    [InlineData(Fault.Throttling400, 1)]
    [InlineData(Fault.TooManyRequests429, 1)]
    [InlineData(Fault.Unavailable503, 0)]
    [InlineData(Fault.ConnectionReset, 0)]
    [InlineData(Fault.Hang, 0)]
    public async Task ListFunctions_OneFault_RetriedResultEqualsFaultFreeResult(Fault fault, int throttled)
    {
        using var host = Host();
        var expected = await ListAsync(host);
        var before = Usage(host);

        _proxy.Script(fault);
        var actual = await ListAsync(host);

        Assert.Equal(expected, actual);
        var after = Usage(host);
        Assert.Equal((1, 2, throttled, 0), (after.Calls - before.Calls, after.Attempts - before.Attempts, after.ThrottledAttempts - before.ThrottledAttempts, after.FailedCalls - before.FailedCalls));
    }

    [Fact]
    public async Task ListFunctions_SeveralFaultsInARow_AllRetried_EveryAttemptCounted()
    {
        using var host = Host();
        var expected = await ListAsync(host);
        var requestsBefore = _proxy.Requests;

        _proxy.Script(Fault.Throttling400, Fault.Unavailable503, Fault.ConnectionReset);
        var actual = await ListAsync(host);

        Assert.Equal(expected, actual);
        Assert.Equal(4, _proxy.Requests - requestsBefore);
        var usage = Usage(host);
        Assert.Equal((2, 5, 1), (usage.Calls, usage.Attempts, usage.ThrottledAttempts));
    }

    [Fact]
    public async Task ClientError_IsNotRetried()
    {
        using var host = Host();
        _proxy.Script(Fault.Validation400);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ListAsync(host));

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException", 1, false), (error.StatusCode, error.ErrorCode, error.Attempts, error.IsThrottling));
        Assert.Matches(@"^account 310000000005 \(test\), eu-west-1, Lambda ListFunctions: HTTP 400 ValidationException: 1 validation error detected \(request id fault-[0-9a-f]{32}, 1 attempt\)$", error.Message);
        Assert.Equal((1, 1, 1), (Usage(host).Calls, Usage(host).Attempts, Usage(host).FailedCalls));
    }

    [Fact]
    public async Task PersistentServerErrors_GiveUpAfterMaxAttempts()
    {
        using var host = Host();
        _proxy.Script(Fault.Unavailable503, Fault.Unavailable503, Fault.Unavailable503, Fault.Unavailable503);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ListAsync(host));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ServiceUnavailableException", 4), (error.StatusCode, error.ErrorCode, error.Attempts));
        Assert.EndsWith("4 attempts)", error.Message, StringComparison.Ordinal);
        Assert.Equal((1, 4, 1), (Usage(host).Calls, Usage(host).Attempts, Usage(host).FailedCalls));
    }

    [Fact]
    public async Task OneMaxAttempt_TurnsRetriesOff()
    {
        using var host = Host(maxAttempts: 1);
        _proxy.Script(Fault.Unavailable503);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ListAsync(host));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, 1), (error.StatusCode, error.Attempts));
        Assert.Equal((1, 1, 1), (Usage(host).Calls, Usage(host).Attempts, Usage(host).FailedCalls));
    }

    [Fact]
    public async Task ExpiredToken_IsACredentialErrorNamingTheAccount()
    {
        using var host = Host();
        _proxy.Script(Fault.ExpiredToken403);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ListAsync(host));

        Assert.True(error.IsCredentialError);
        Assert.Equal(
            "account 310000000005 (test): the security token is expired (ExpiredTokenException, Lambda ListFunctions); " +
            "credentials from role arn:aws:iam::310000000005:role/observe-read assumed with the default credential chain",
            error.Message);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task NoAnswerWithinTheCallTimeout_IsATimeoutError()
    {
        var options = AwsTestHost.OptionsFor(_proxy.Url, (Account, [Region]));
        options.Endpoints.Sts = Moto.Url;
        options.AttemptTimeout = TimeSpan.FromMilliseconds(300);
        options.CallTimeout = TimeSpan.FromMilliseconds(450);
        using var host = new AwsTestHost(options);
        // The role is assumed here, not inside the timed call: under load moto's STS alone can outlast a 300 ms attempt.
        var credentials = await host.Credentials.GetAsync(options.Accounts[0], CancellationToken.None);
        await credentials.GetCredentialsAsync();
        _proxy.Script(Fault.Hang, Fault.Hang, Fault.Hang);

        var error = await Assert.ThrowsAsync<AwsServiceException>(() => ListAsync(host));

        Assert.Equal("Timeout", error.ErrorCode);
        Assert.Null(error.StatusCode);
        Assert.Contains("Observe:Aws:CallTimeout (00:00:00.4500000)", error.Message, StringComparison.Ordinal);
    }

    private AwsTestHost Host(int maxAttempts = 4)
    {
        var options = AwsTestHost.OptionsFor(_proxy.Url, (Account, [Region]));
        options.Retry.MaxAttempts = maxAttempts;

        // AssumeRole goes straight to moto: the script's faults are for the calls Observe's pipeline makes. The attempt
        // timeout stays AwsTestHost's 10 s although it is what ends a Hang: it also applies to the attempts passed on
        // to moto, whose count these tests assert, and a moto slowed past 1 s by a loaded machine would add one.
        options.Endpoints.Sts = Moto.Url;
        return new AwsTestHost(options);
    }

    private async Task<List<string>> ListAsync(AwsTestHost host)
    {
        var functions = await host.Clients.Lambda(Account, Region).ListFunctionsAsync(CancellationToken.None).ToListAsync();
        return functions.Where(f => f.FunctionName.StartsWith(_prefix, StringComparison.Ordinal)).Select(f => $"{f.FunctionArn}|{f.MemorySize}|{f.Runtime}").Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// ListFunctions' usage over yesterday and today (UTC): the meter counts by day, and a test running across midnight
    /// must not read its "after" from a day that has not seen its "before".
    /// </summary>
    private static Observe.Store.Model.ApiUsage Usage(AwsTestHost host)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var days = new[] { today.AddDays(-1), today }
            .SelectMany(day => host.Meter.GetUsage(day).Where(u => u.Operation == "ListFunctions"))
            .ToList();
        return new Observe.Store.Model.ApiUsage(default, Account, Region, "Lambda", "ListFunctions",
            days.Sum(u => u.Calls), days.Sum(u => u.Attempts), days.Sum(u => u.ThrottledAttempts), days.Sum(u => u.FailedCalls), days.Sum(u => u.BilledUnits), days.Sum(u => u.EstimatedCostUsd), days.Sum(u => u.UnpricedCalls));
    }
}
