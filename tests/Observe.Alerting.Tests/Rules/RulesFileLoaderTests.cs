using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Observe.Alerting.Rules;

namespace Observe.Alerting.Tests.Rules;

public sealed class RulesFileLoaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("observe-rules-").FullName;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));

    private string FilePath => Path.Combine(_directory, "rules.yaml");

    private CancellationToken Ct => _timeout.Token;

    public void Dispose()
    {
        _timeout.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private RulesFileLoader Loader() =>
        new(Options.Create(new RulesFileOptions { Path = FilePath }), ["slack-oncall"], NullLogger<RulesFileLoader>.Instance);

    [Fact]
    public async Task ReloadAsync_RuleTurnsBad_KeepsItsLastGoodVersionAndLoadsTheRest()
    {
        using var loader = Loader();
        await File.WriteAllTextAsync(FilePath, """
            rules:
              - {id: a, name: A, condition: errors > 0, channels: [slack-oncall]}
              - {id: b, name: B, condition: throttles > 0}
            """, Ct);
        await loader.ReloadAsync(Ct);

        await File.WriteAllTextAsync(FilePath, """
            rules:
              - {id: a, name: A, condition: errors > 0, channels: [pager]}
              - {id: b, name: B2, condition: throttles > 5}
              - {id: c, name: C, condition: timeouts > 0}
            """, Ct);
        var reload = await loader.ReloadAsync(Ct);

        Assert.Equal(["rules[0].channels[0]: unknown channel 'pager' (configured: slack-oncall)"], reload.Errors.Select(e => e.ToString()));
        Assert.Equal(["a"], reload.Kept);
        Assert.Equal(["b", "c", "a"], reload.Rules.Select(r => r.Id));
        Assert.Equal(["slack-oncall"], reload.Rules.Single(r => r.Id == "a").Channels);
        Assert.Equal("B2", reload.Rules.Single(r => r.Id == "b").Name);
        Assert.Same(reload, loader.Current);
    }

    [Fact]
    public async Task ReloadAsync_FileNoLongerYaml_KeepsEveryRule()
    {
        using var loader = Loader();
        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: a, name: A, condition: errors > 0}\n", Ct);
        await loader.ReloadAsync(Ct);

        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: a, name: A, condition: errors > 0\n", Ct);
        var reload = await loader.ReloadAsync(Ct);

        Assert.Equal(["a"], reload.Rules.Select(r => r.Id));
        Assert.Equal(["a"], reload.Kept);
        Assert.StartsWith("(document): not valid YAML", Assert.Single(reload.Errors).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReloadAsync_RuleRemovedFromFile_IsRemoved()
    {
        using var loader = Loader();
        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: a, name: A, condition: errors > 0}\n  - {id: b, name: B, condition: errors > 0}\n", Ct);
        await loader.ReloadAsync(Ct);

        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: b, name: B, condition: errors > 0}\n", Ct);
        var reload = await loader.ReloadAsync(Ct);

        Assert.Equal(["b"], reload.Rules.Select(r => r.Id));
        Assert.Empty(reload.Errors);
    }

    [Fact]
    public async Task ExecuteAsync_FileChanges_ReReadsIt()
    {
        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: a, name: A, condition: errors > 0}\n", Ct);
        using var loader = Loader();
        var changed = new TaskCompletionSource<RulesFileReload>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        loader.Reloaded += (_, reload) =>
        {
            first.TrySetResult();
            if (reload.Rules.Any(r => r.Id == "b"))
            {
                changed.TrySetResult(reload);
            }
        };

        await loader.StartAsync(Ct);
        await first.Task.WaitAsync(Ct);
        Assert.Equal(["a"], loader.Current.Rules.Select(r => r.Id));

        await File.WriteAllTextAsync(FilePath, "rules:\n  - {id: a, name: A, condition: errors > 0}\n  - {id: b, name: B, condition: errors > 0}\n", Ct);
        var reload = await changed.Task.WaitAsync(Ct);
        await loader.StopAsync(Ct);

        Assert.Equal(["a", "b"], reload.Rules.Select(r => r.Id));
    }

    [Fact]
    public void Validate_DirectoryMissing_NamesTheSetting()
    {
        var result = new RulesFileOptionsValidator().Validate(null, new RulesFileOptions { Path = Path.Combine(_directory, "none", "rules.yaml") });

        Assert.Equal(
            $"Observe:Alerting:RulesFile:Path '{Path.Combine(_directory, "none", "rules.yaml")}' must name a file in an existing directory (the directory is watched for changes)",
            result.FailureMessage);
    }
}
