using System.Net;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Observe.Dashboard.Actions;
using Observe.Dashboard.Auditing;
using Observe.Dashboard.Auth;

namespace Observe.Dashboard.Tests.Auth;

/// <summary>
/// Finds every way into the dashboard (every mapped endpoint, the Blazor hub's included; every routable component;
/// every write action) and checks what each role gets, so a page, endpoint or action added later is covered without
/// anyone remembering to list it here.
/// </summary>
public sealed class AuthorizationEnumerationTests
{
    /// <summary>
    /// The only endpoints open without a session, and why: probes have no session; the sign-in page, its form and its
    /// assets are how one gets a session; the error page is where a failed anonymous request (a sign-in form without
    /// its anti-forgery token) ends, and shows no data. Anything else open is a failure.
    /// </summary>
    private static readonly string[] OpenEndpoints = ["/alive", "/health", "/login", "/auth/login", "/error"];

    /// <summary>Store services a component may inject besides readers: neither changes anything another user sees.</summary>
    private static readonly Dictionary<string, string> NonReaderStoreServices = new()
    {
        ["IStoreChanges"] = "notifications of changes, to reload",
        ["IFunctionWatchStore"] = "opening a function's page watches it for its viewer: a Viewer's own reading, not a change to the fleet's data",
    };

    [Fact]
    public async Task EveryEndpoint_Anonymous_GetsAStatusOrTheSignInPage_OnlyTheOpenOnesAnswer()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var client = dashboard.Client();
        var endpoints = Endpoints(dashboard);
        Assert.Contains(endpoints, e => e.Path.StartsWith("/_blazor", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.Path == Observe.Dashboard.Model.FunctionsExport.Path);
        Assert.Contains(endpoints, e => e.Path == ApiKeyAuthentication.McpPath);

        var problems = new List<string>();
        var open = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in endpoints)
        {
            if (endpoint.AllowsAnonymous)
            {
                open.Add(LoginAsset(endpoint.Path) ? "(a sign-in page asset)" : endpoint.Path);
                continue;
            }

            foreach (var method in endpoint.Methods)
            {
                // A script, the hub or a download: the status. A browser's page navigation: sent to sign in.
                using var plain = new HttpRequestMessage(new HttpMethod(method), new Uri(endpoint.Path, UriKind.Relative));
                var response = await client.SendAsync(plain);
                if (response.StatusCode != HttpStatusCode.Unauthorized)
                {
                    problems.Add($"{method} {endpoint.Path} ({endpoint.Name}) answered {(int)response.StatusCode}, not 401");
                }

                // The MCP endpoint is a machine's whatever the request accepts: a 401 saying to send an API key.
                if (method == "GET" && IsMcp(endpoint.Path))
                {
                    var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, endpoint.Path));
                    if (page.StatusCode != HttpStatusCode.Unauthorized)
                    {
                        problems.Add($"GET {endpoint.Path} ({endpoint.Name}) as a page answered {(int)page.StatusCode}, not 401");
                    }
                }
                else if (method == "GET")
                {
                    var page = await client.SendAsync(SignedInDashboard.Page(HttpMethod.Get, endpoint.Path));
                    if (!SignedInDashboard.IsRedirectTo(page, "/login"))
                    {
                        problems.Add($"GET {endpoint.Path} ({endpoint.Name}) as a page answered {(int)page.StatusCode} {page.Headers.Location}, not a redirect to /login");
                    }
                }
            }
        }

        Assert.Empty(problems);
        Assert.Equal(OpenEndpoints.Append("(a sign-in page asset)").Order(StringComparer.Ordinal), open);
    }

    [Fact]
    public async Task EveryEndpoint_WithAnAdminApiKeyOnly_OnlyTheExportAndMcpAcceptIt()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        var key = await ApiKeyTests.CreateKeyAsync(dashboard, "everything", DashboardRoles.Admin);
        using var client = dashboard.Client();
        var machine = new[] { Observe.Dashboard.Model.FunctionsExport.Path, ApiKeyAuthentication.McpPath };

        var problems = new List<string>();
        foreach (var endpoint in Endpoints(dashboard).Where(e => !e.AllowsAnonymous))
        {
            foreach (var method in endpoint.Methods)
            {
                foreach (var header in new[] { ApiKeyAuthentication.HeaderName, "Authorization" })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(endpoint.Path, UriKind.Relative));
                    request.Headers.Add(header, header == "Authorization" ? "Bearer " + key : key);
                    var response = await client.SendAsync(request);
                    var accepted = response.StatusCode != HttpStatusCode.Unauthorized;
                    if (accepted != machine.Contains(endpoint.Path))
                    {
                        problems.Add($"{method} {endpoint.Path} ({endpoint.Name}) with the key in {header} answered {(int)response.StatusCode}");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task EveryPage_Viewer_OpensThoseForViewers_SentAwayFromTheOthers()
    {
        await using var dashboard = await SignedInDashboard.StartAsync();
        using var viewer = dashboard.Client(dashboard.CookieFor("vic", DashboardRoles.Viewer));
        using var nobody = dashboard.Client(dashboard.CookieFor("no role"));
        var endpoints = Endpoints(dashboard);

        var problems = new List<string>();
        foreach (var (component, route) in RoutableComponents())
        {
            var matches = endpoints.Where(e => e.Pattern == route).ToList();
            Assert.True(matches.Count > 0, $"{component.Name} routes to {route}, which no endpoint serves");
            var endpoint = matches[0];
            var needs = Needs(component);
            var path = endpoint.Path;

            var response = await viewer.SendAsync(SignedInDashboard.Page(HttpMethod.Get, path));
            var expectOpen = needs is null || DashboardRoles.SatisfiedBy(needs).Contains(DashboardRoles.Viewer);
            if (expectOpen ? response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.NotFound) : !SignedInDashboard.IsRedirectTo(response, AuthExtensions.AccessDeniedPage))
            {
                problems.Add($"{component.Name} ({path}, needs {needs ?? "nothing"}) gave a Viewer {(int)response.StatusCode} {response.Headers.Location}");
            }

            if (component.IsDefined(typeof(AllowAnonymousAttribute)))
            {
                continue;
            }

            // Signed in without any dashboard role (a provider's user nobody granted one): nothing but the note saying so.
            var roleless = await nobody.SendAsync(SignedInDashboard.Page(HttpMethod.Get, path));
            // Signed in is enough for a page marked [Authorize] without a policy (the access-denied page itself).
            var signedInEnough = component.GetCustomAttributes<AuthorizeAttribute>().Any(a => a.Policy is null && a.Roles is null);
            if (signedInEnough ? roleless.StatusCode != HttpStatusCode.OK : !SignedInDashboard.IsRedirectTo(roleless, AuthExtensions.AccessDeniedPage))
            {
                problems.Add($"{component.Name} ({path}) gave a user without a role {(int)roleless.StatusCode} {roleless.Headers.Location}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void EveryComponent_WritesOnlyThroughActionServices()
    {
        var problems = new List<string>();
        foreach (var component in typeof(DashboardApp).Assembly.GetTypes().Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract))
        {
            var injected = component.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(p => p.IsDefined(typeof(InjectAttribute)))
                .Select(p => p.PropertyType)
                .Concat(component.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.ParameterType));
            foreach (var type in injected)
            {
                var assembly = type.Assembly.GetName().Name!;
                var storeSide = assembly is "Observe.Store" or "Observe.Alerting" or "Observe.Collectors";
                if (storeSide && !type.Name.EndsWith("Reader", StringComparison.Ordinal) && !NonReaderStoreServices.ContainsKey(type.Name))
                {
                    problems.Add($"{component.Name} injects {type.Name}: a component writes through an action service in Observe.Dashboard.Actions, whose methods demand a role");
                }

                if (type == typeof(IServiceProvider) && component.Name != "LiveTailPage")
                {
                    problems.Add($"{component.Name} injects IServiceProvider, through which it could reach a writer unchecked");
                }
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task EveryAction_BelowItsRoleOrAnonymous_RefusedBeforeWriting_WithItsRole_Writes()
    {
        var actions = ActionMethods().ToList();
        Assert.NotEmpty(actions);

        var problems = new List<string>();
        foreach (var (type, method) in actions)
        {
            var role = method.GetCustomAttribute<RequiresRoleAttribute>()?.Role;
            if (role is null)
            {
                problems.Add($"{type.Name}.{method.Name} has no [RequiresRole]");
                continue;
            }

            var below = DashboardRoles.All.TakeWhile(r => r != role).Select(r => (Label: r, Roles: new[] { r }));
            foreach (var (label, roles) in below.Append(("anonymous", [])))
            {
                var (outcome, writes, audits) = await InvokeAsync(type, method, label == "anonymous" ? null : roles);
                if (outcome is not DashboardAccessDeniedException || writes.Count > 0 || audits.Count > 0)
                {
                    problems.Add($"{type.Name}.{method.Name} as {label}: {outcome?.GetType().Name ?? "no exception"}, {writes.Count} write(s): {string.Join(", ", writes)}, {audits.Count} audit entries");
                }
            }

            // Past the role check: it does its work and leaves exactly one audit entry, naming the user and the action.
            var (allowed, done, audited) = await InvokeAsync(type, method, [role]);
            if (allowed is not null || done.Count == 0)
            {
                problems.Add($"{type.Name}.{method.Name} as {role}: {allowed?.Message ?? "wrote nothing"}");
            }

            if (audited.Count != 1 || audited[0] is not { Actor: "tester", Action.Length: > 0 })
            {
                problems.Add($"{type.Name}.{method.Name} as {role}: {audited.Count} audit entries ({string.Join(", ", audited.Select(a => $"{a.Actor} {a.Action}"))}), not one by tester; record it with ActionAudit.RecordAsync");
            }
        }

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(DashboardRoles.Viewer, new[] { DashboardRoles.Viewer })]
    [InlineData(DashboardRoles.Responder, new[] { DashboardRoles.Viewer, DashboardRoles.Responder })]
    [InlineData(DashboardRoles.Admin, new[] { DashboardRoles.Viewer, DashboardRoles.Responder, DashboardRoles.Admin })]
    public async Task Policies_AreHierarchical(string held, string[] allowed)
    {
        var services = new ServiceCollection().AddLogging().AddAuthorizationCore(DashboardRoles.AddPolicies).BuildServiceProvider();
        var authorization = services.GetRequiredService<IAuthorizationService>();
        var user = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Role, held)], "test"));

        var granted = new List<string>();
        foreach (var policy in DashboardRoles.All)
        {
            if ((await authorization.AuthorizeAsync(user, policy)).Succeeded)
            {
                granted.Add(policy);
            }
        }

        Assert.Equal(allowed, granted);
    }

    private static bool LoginAsset(string path) => AuthExtensions.LoginAssets().IsMatch(path);

    private static bool IsMcp(string path) => path == ApiKeyAuthentication.McpPath || path.StartsWith(ApiKeyAuthentication.McpPath + "/", StringComparison.Ordinal);

    private static string? Needs(Type component) =>
        component.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy).FirstOrDefault(p => p is not null);

    private static IEnumerable<(Type Component, string Route)> RoutableComponents() =>
        typeof(DashboardApp).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (t, r.Template)));

    private static IEnumerable<(Type Type, MethodInfo Method)> ActionMethods() =>
        typeof(DashboardApp).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(RequiresRoleAttribute).Namespace && t.IsClass && t.IsPublic && !t.IsAbstract && !typeof(Attribute).IsAssignableFrom(t))
            .SelectMany(t => t.GetMethods(BindingFlags.Instance | BindingFlags.Public | BindingFlags.DeclaredOnly).Select(m => (t, m)));

    /// <summary>
    /// Calls the action as a user with <paramref name="roles"/> (null: nobody signed in) over recording fakes of its
    /// dependencies and the real <see cref="ActionAudit"/> over a recording audit log.
    /// </summary>
    private static async Task<(Exception? Outcome, List<string> Writes, List<Observe.Store.Model.AuditEntry> Audits)> InvokeAsync(Type type, MethodInfo method, string[]? roles)
    {
        var writes = new List<string>();
        var audits = new RecordingAuditLog();
        var services = new ServiceCollection().AddLogging().AddAuthorizationCore(DashboardRoles.AddPolicies);
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<DashboardUser>();
        services.AddSingleton<Observe.Store.IAuditLogWriter>(audits);
        services.AddScoped<ActionAudit>();
        var identity = roles is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim(ClaimTypes.Name, "tester"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))], "test");
        services.AddSingleton<AuthenticationStateProvider>(new FixedState(new ClaimsPrincipal(identity)));
        foreach (var dependency in type.GetConstructors().Single().GetParameters().Select(p => p.ParameterType).Where(t => t.IsInterface))
        {
            services.AddSingleton(dependency, RecordingProxy.Create(dependency, writes));
        }

        await using var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        var instance = ActivatorUtilities.CreateInstance(scope.ServiceProvider, type);
        var arguments = method.GetParameters().Select(p => Sample(p.ParameterType)).ToArray();
        try
        {
            if (method.Invoke(instance, arguments) is Task task)
            {
                await task;
            }

            return (null, writes, audits.Entries);
        }
        catch (Exception ex)
        {
            return (ex is TargetInvocationException { InnerException: { } inner } ? inner : ex, writes, audits.Entries);
        }
    }

    private sealed class RecordingAuditLog : Observe.Store.IAuditLogWriter
    {
        public List<Observe.Store.Model.AuditEntry> Entries { get; } = [];

        public Task<Observe.Store.Model.AuditEntry> AppendAuditEntryAsync(Observe.Store.Model.AuditEntry entry, CancellationToken cancellationToken)
        {
            lock (Entries)
            {
                Entries.Add(entry);
            }

            return Task.FromResult(entry);
        }
    }

    private static object? Sample(Type type) =>
        type == typeof(string) ? "sample"
        : type == typeof(Observe.Dashboard.Model.SilenceDraft) ? new Observe.Dashboard.Model.SilenceDraft("function=orders", "2h", "maintenance")
        : type == typeof(Observe.Dashboard.Model.ApiKeyDraft) ? new Observe.Dashboard.Model.ApiKeyDraft("assistant")
        : type == typeof(CancellationToken) ? CancellationToken.None
        : type.IsValueType ? Activator.CreateInstance(type)
        : null;

    private static List<(string Path, string Pattern, string Name, string[] Methods, bool AllowsAnonymous)> Endpoints(SignedInDashboard dashboard) => Endpoints(dashboard.App);

    /// <summary>Every mapped endpoint of <paramref name="app"/>, whatever its sign-in mode.</summary>
    internal static List<(string Path, string Pattern, string Name, string[] Methods, bool AllowsAnonymous)> Endpoints(Microsoft.AspNetCore.Builder.WebApplication app) =>
        ((IEndpointRouteBuilder)app).DataSources
            .SelectMany(s => s.Endpoints)
            .OfType<RouteEndpoint>()
            .Select(e => (
                Path: Concrete(e.RoutePattern),
                Pattern: e.RoutePattern.RawText is { } raw && raw.StartsWith('/') ? raw : "/" + e.RoutePattern.RawText,
                Name: e.DisplayName ?? "",
                Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.ToArray() is { Length: > 0 } m ? m : ["GET"],
                AllowsAnonymous: e.Metadata.GetMetadata<IAllowAnonymous>() is not null))
            .DistinctBy(e => (e.Pattern, string.Join(',', e.Methods)))
            .ToList();

    /// <summary>An address the pattern matches: a parameter becomes "x".</summary>
    private static string Concrete(RoutePattern pattern) =>
        "/" + string.Join('/', pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "x",
        }))));

    private sealed class FixedState(ClaimsPrincipal principal) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(principal));
    }
}

/// <summary>Any interface, every call recorded by name; a Task answers completed with the default result.</summary>
public class RecordingProxy : DispatchProxy
{
    private List<string> _calls = [];

    public static object Create(Type type, List<string> calls)
    {
        var proxy = (RecordingProxy)typeof(DispatchProxy).GetMethod(nameof(DispatchProxy.Create), 2, Type.EmptyTypes)!
            .MakeGenericMethod(type, typeof(RecordingProxy)).Invoke(null, null)!;
        proxy._calls = calls;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        lock (_calls)
        {
            _calls.Add(targetMethod.Name);
        }

        var returns = targetMethod.ReturnType;
        if (returns == typeof(Task))
        {
            return Task.CompletedTask;
        }

        if (returns.IsGenericType && returns.GetGenericTypeDefinition() == typeof(Task<>))
        {
            var result = returns.GetGenericArguments()[0];
            return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(result).Invoke(null, [Default(result)]);
        }

        return returns.IsValueType && returns != typeof(void) ? Activator.CreateInstance(returns) : null;
    }

    /// <summary>
    /// What a call answers: a value type's default, a list empty, a class with a parameterless constructor as that
    /// builds it (a result the action reads, such as the rules view), anything else null (an action's "no such thing").
    /// </summary>
    private static object? Default(Type type) =>
        type.IsValueType ? Activator.CreateInstance(type)
        : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? Array.CreateInstance(type.GetGenericArguments()[0], 0)
        : type.IsClass && type != typeof(string) && type.GetConstructor(Type.EmptyTypes) is { } constructor ? constructor.Invoke(null)
        : null;
}
