using Observe.Dashboard.Auth;
using Observe.Store.Model;

namespace Observe.Dashboard.Model;

/// <summary>What an Admin asks for when creating a key: its name and role.</summary>
/// <param name="Name">What the key is for (an assistant, a CI job); unique among keys not revoked.</param>
/// <param name="Role">One of the dashboard roles; Viewer unless the key must act.</param>
public sealed record ApiKeyDraft(string Name, string Role = DashboardRoles.Viewer);

/// <summary>The outcome of a change to a key: the key as stored, a new secret to show once, or what was wrong.</summary>
/// <param name="Key">The key after the change; null when nothing changed.</param>
/// <param name="Secret">The whole new key, shown once and never stored; null when no secret was made.</param>
/// <param name="Error">Why nothing changed, naming the problem; null when the change was made.</param>
public sealed record ApiKeyChange(ApiKey? Key, string? Secret, string? Error);
