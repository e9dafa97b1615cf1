using Microsoft.Extensions.Options;

namespace Observe.Dashboard.Configuration;

/// <summary>
/// Options the dashboard must read before its services are built (the demo's store and whether the collectors run
/// here depend on them), bound once from configuration. <see cref="Register"/> makes this same instance what
/// <see cref="IOptions{TOptions}"/>, <see cref="IOptionsMonitor{TOptions}"/> and the start-up validation see, so no
/// part of the dashboard reads those settings as raw strings or binds them a second time.
/// </summary>
internal sealed class BoundOptions<TOptions>
    where TOptions : class, new()
{
    private BoundOptions(TOptions value, string? bindError)
    {
        Value = value;
        BindError = bindError;
    }

    /// <summary>The bound options; the defaults when a value could not be converted (<see cref="BindError"/>).</summary>
    public TOptions Value { get; }

    /// <summary>The binder's message naming the setting and the value it could not convert; null when binding worked.</summary>
    public string? BindError { get; }

    public static BoundOptions<TOptions> Bind(IConfiguration configuration, string sectionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = new TOptions();
        try
        {
            configuration.GetSection(sectionName).Bind(value);
            return new(value, null);
        }
        catch (InvalidOperationException ex)
        {
            // "Failed to convert configuration value 'sometimes' at 'Observe:Demo:Enabled' to type 'System.Boolean'."
            // Kept to fail the start with the other settings' problems, instead of throwing while the app is built;
            // until then the decisions taken from these options use the defaults.
            return new(new TOptions(), ex.Message);
        }
    }

    /// <summary>Registers this instance as the options of <typeparamref name="TOptions"/>, validated at start.</summary>
    public void Register(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<TOptions>().ValidateOnStart();
        services.AddSingleton<IOptionsFactory<TOptions>>(provider => new Factory(this, provider.GetServices<IValidateOptions<TOptions>>()));
    }

    /// <summary>
    /// Hands out the bound instance after the registered validators passed, as the default factory would after binding
    /// again. The dashboard uses these options unnamed only.
    /// </summary>
    private sealed class Factory(BoundOptions<TOptions> bound, IEnumerable<IValidateOptions<TOptions>> validators) : IOptionsFactory<TOptions>
    {
        public TOptions Create(string name)
        {
            var failures = new List<string>();
            if (bound.BindError is { } error)
            {
                failures.Add(error);
            }
            else
            {
                foreach (var validator in validators)
                {
                    if (validator.Validate(name, bound.Value) is { Failed: true } result)
                    {
                        failures.AddRange(result.Failures);
                    }
                }
            }

            return failures.Count == 0 ? bound.Value : throw new OptionsValidationException(name, typeof(TOptions), failures);
        }
    }
}
