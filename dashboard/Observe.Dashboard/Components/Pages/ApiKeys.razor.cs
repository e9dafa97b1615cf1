using Microsoft.AspNetCore.Components;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auth;
using Observe.Dashboard.Model;
using Observe.Store;
using Observe.Store.Model;

namespace Observe.Dashboard.Components.Pages;

/// <summary>
/// The API keys at <c>/settings/api-keys</c>, for Admins: create one (its secret shown once), rotate, retire a
/// rotation's old secret, revoke. Reads through <see cref="IApiKeyReader"/>, writes through <see cref="ApiKeyActions"/>.
/// </summary>
public sealed partial class ApiKeys : ComponentBase
{
    private IReadOnlyList<ApiKey>? _keys;
    private DateTimeOffset _now;
    private string? _loadError;
    private string? _error;
    private (string Name, string Secret)? _shown;
    private string? _confirmRevoke;
    private string _name = "";
    private string _role = DashboardRoles.Viewer;
    private bool _busy;
    private ILogger? _log;

    [Inject]
    public required IApiKeyReader Keys { get; init; }

    [Inject]
    public required ApiKeyActions Actions { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILoggerFactory LoggerFactory { get; init; }

    protected override async Task OnInitializedAsync()
    {
        _log = LoggerFactory.CreateLogger<ApiKeys>();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            _keys = await Keys.GetApiKeysAsync(CancellationToken.None);
            _now = Time.GetUtcNow();
            _loadError = null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not read the API keys");
            _loadError = "The API keys could not be read: the store did not answer. Reload the page; if this lasts, check the Observe:Store settings and the dashboard's log.";
        }
    }

    private async Task CreateAsync()
    {
        if (await RunAsync(() => Actions.CreateAsync(new ApiKeyDraft(_name, _role), CancellationToken.None)) is { Key: { } key, Secret: { } secret })
        {
            _shown = (key.Name, secret);
            _name = "";
        }
    }

    private async Task RotateAsync(ApiKey key)
    {
        if (await RunAsync(() => Actions.RotateAsync(key.Id, CancellationToken.None)) is { Secret: { } secret })
        {
            _shown = (key.Name, secret);
        }
    }

    private Task RetireAsync(ApiKey key) => RunAsync(() => Actions.RetireOldSecretAsync(key.Id, CancellationToken.None));

    private async Task RevokeAsync(ApiKey key)
    {
        _confirmRevoke = null;
        await RunAsync(() => Actions.RevokeAsync(key.Id, CancellationToken.None));
    }

    /// <summary>Runs one change, says what went wrong in a sentence, and reloads the list.</summary>
    private async Task<ApiKeyChange?> RunAsync(Func<Task<ApiKeyChange>> change)
    {
        _busy = true;
        _error = null;
        _shown = null;
        try
        {
            var result = await change();
            _error = result.Error;
            return result;
        }
        catch (DashboardAccessDeniedException denied)
        {
            _error = denied.Message;
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log?.LogError(ex, "Could not change an API key");
            _error = "Nothing was changed: the store did not answer. Try again; if this lasts, check the Observe:Store settings and the dashboard's log.";
            return null;
        }
        finally
        {
            _busy = false;
            await LoadAsync();
        }
    }
}
