namespace Observe.Dashboard;

/// <summary>
/// Starts a hosted service only once the server listens. The web application starts the hosted services before
/// Kestrel binds, so without this a taken port would be found after the collectors, the demo writer and retention had
/// already begun writing; the host calls <see cref="StartedAsync"/> only when every service, the server included,
/// started.
/// </summary>
internal sealed class StartedWithServer(IHostedService inner) : IHostedLifecycleService
{
    private bool _started;

    /// <summary>The wrapped service, for tests that check what is registered.</summary>
    public IHostedService Inner => inner;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        // Set first: a service whose start throws half-way is still asked to stop.
        _started = true;
        return inner.StartAsync(cancellationToken);
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => _started ? inner.StopAsync(cancellationToken) : Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Wraps every hosted service registered from <paramref name="first"/> on.</summary>
    public static void Wrap(IServiceCollection services, int first)
    {
        for (var i = first; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IHostedService) || descriptor.IsKeyedService)
            {
                continue;
            }

            services[i] = ServiceDescriptor.Singleton<IHostedService>(provider => new StartedWithServer(Create(provider, descriptor)));
        }
    }

    private static IHostedService Create(IServiceProvider provider, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance as IHostedService
        ?? descriptor.ImplementationFactory?.Invoke(provider) as IHostedService
        ?? (IHostedService)ActivatorUtilities.CreateInstance(provider, descriptor.ImplementationType!);
}
