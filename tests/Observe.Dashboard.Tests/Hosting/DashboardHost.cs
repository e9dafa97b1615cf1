using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;

namespace Observe.Dashboard.Tests.Hosting;

/// <summary>Builds the dashboard as Program does, on a free loopback port, over a temp SQLite store.</summary>
internal static class DashboardHost
{
    /// <param name="dataDirectory">The store's data directory.</param>
    /// <param name="settings">Settings over the defaults here; a null value unsets one.</param>
    /// <param name="configure">More registrations before the dashboard's own.</param>
    public static WebApplication Build(string dataDirectory, IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        return DashboardApp.Build([], builder =>
        {
            configure?.Invoke(builder);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // The tests host the build output, not a publish: the package and framework assets (MudBlazor's,
            // blazor.web.js) are found through the build's runtime manifest, as WebApplicationFactory does and as
            // `dotnet run` does in Development. The published dashboard is tested as it is shipped elsewhere.
            builder.WebHost.UseStaticWebAssets();
            var all = new Dictionary<string, string?>
            {
                // appsettings.json (copied next to the tests) logs at Information; tests only want problems.
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
                ["Observe:Store:Kind"] = "Sqlite",
                ["Observe:Store:DataDirectory"] = dataDirectory,
                ["Observe:Demo:Enabled"] = "false",
                // The page and store tests run without sign-in, on loopback where Unsecured is allowed; the sign-in,
                // roles and hardening tests (Auth/) set BrowserToken and check what each role may reach.
                ["Observe:Auth:Mode"] = "Unsecured",
                // One fixture's tests open hundreds of tabs as one user, and a closed browser context need not send
                // Blazor's disconnect beacon, so its circuit can hold its place for minutes. LimitsTests sets its own.
                ["Observe:Dashboard:MaxCircuitsPerUser"] = "1000",
            };
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                all[key] = value;
            }

            builder.Configuration.AddInMemoryCollection(all);
        });
    }
}
