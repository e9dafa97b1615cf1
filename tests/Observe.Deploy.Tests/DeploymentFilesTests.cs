using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Observe.Dashboard;
using YamlDotNet.RepresentationModel;

namespace Observe.Deploy.Tests;

/// <summary>
/// The Dockerfiles, compose.yaml, the Kubernetes manifests and the Fargate task definitions against the app: every
/// <c>Observe__…</c> setting they give names a key an options class binds, the dashboard's port is the one it is told to
/// serve on, and every probe and health check asks a path the dashboard answers (started here over SQLite).
/// </summary>
public partial class DeploymentFilesTests
{
    private const string DashboardPort = "8080";

    [Theory]
    [InlineData("Observe__Store__Kind")]
    [InlineData("Observe__Aws__Accounts__3__Regions__1")]
    [InlineData("Observe__Aws__RateBudgets__GetMetricData__PerSecond")]
    [InlineData("Observe__Collectors__Metrics__ColdInterval")]
    [InlineData("Observe__Collectors__InProcess")]
    public void Keys_ThatTheOptionsBindAreAccepted(string name) => Assert.Null(ConfigurationKeys.Problem(name));

    [Theory]
    [InlineData("Observe__Store__Kindd")]
    [InlineData("Observe__Aws__Accounts__first__AccountId")]
    [InlineData("Observe__Aws__Accounts__0__Nope")]
    [InlineData("Observe__Store__Kind__More")]
    [InlineData("Observe__Nowhere__Kind")]
    public void Keys_ThatNoOptionsBindAreRefused(string name) => Assert.NotNull(ConfigurationKeys.Problem(name));

    [Fact]
    public void Kubernetes_SettingsPortsAndWorkloadsMatchTheApp()
    {
        var documents = KubernetesDocuments();
        var config = documents.Single(d => d.Str("kind") == "ConfigMap" && d.Map("metadata").Str("name") == "observe-config");
        var names = config.Map("data").Children.Keys.Select(k => k.Scalar()!).ToList();

        var dashboard = Deployment(documents, "observe-dashboard");
        var worker = Deployment(documents, "observe-worker");
        Assert.Equal("2", dashboard.Map("spec").Str("replicas"));
        Assert.Equal("1", worker.Map("spec").Str("replicas"));
        foreach (var container in new[] { dashboard, worker }.SelectMany(Containers))
        {
            names.AddRange(container.Get("env").Items().Select(e => e.Str("name")));
            Assert.Equal("observe-store", container.Get("env").Items().Single(e => e.Str("name") == "Observe__Store__ConnectionString").Map("valueFrom").Map("secretKeyRef").Str("name"));
            Assert.Equal("true", container.Map("securityContext").Str("readOnlyRootFilesystem"));
            Assert.Equal("false", container.Map("securityContext").Str("allowPrivilegeEscalation"));
        }

        // Sign-in: OpenID Connect, the provider and client from a Secret, the mode and role mapping from observe-auth.
        var auth = documents.Single(d => d.Str("kind") == "ConfigMap" && d.Map("metadata").Str("name") == "observe-auth").Map("data");
        names.AddRange(auth.Children.Keys.Select(k => k.Scalar()!));
        Assert.Equal("OpenIdConnect", auth.Str("Observe__Auth__Mode"));
        var dashboardEnv = Containers(dashboard).Single().Get("env").Items().ToList();
        foreach (var (setting, key) in new[] { ("Observe__Auth__OpenIdConnect__Authority", "authority"), ("Observe__Auth__OpenIdConnect__ClientId", "client-id"), ("Observe__Auth__OpenIdConnect__ClientSecret", "client-secret") })
        {
            var secret = dashboardEnv.Single(e => e.Str("name") == setting).Map("valueFrom").Map("secretKeyRef");
            Assert.Equal(("observe-oidc", key), (secret.Str("name"), secret.Str("key")));
        }

        AssertSettingsExist(names.Where(n => n.StartsWith("Observe__", StringComparison.Ordinal)));

        var web = Containers(dashboard).Single();
        Assert.Equal(DashboardPort, web.Get("env").Items().Single(e => e.Str("name") == "ASPNETCORE_HTTP_PORTS").Str("value"));
        var port = web.Seq("ports").Children.Single();
        Assert.Equal(DashboardPort, port.Str("containerPort"));
        Assert.Equal("/alive", web.Map("livenessProbe").Map("httpGet").Str("path"));
        Assert.Equal("/health", web.Map("readinessProbe").Map("httpGet").Str("path"));
        Assert.All(ProbePorts(web), p => Assert.Equal(port.Str("name"), p));

        var labels = dashboard.Map("spec").Map("template").Map("metadata").Map("labels");
        var service = documents.Single(d => d.Str("kind") == "Service");
        var budget = documents.Single(d => d.Str("kind") == "PodDisruptionBudget");
        Assert.True(Selects(service.Map("spec").Map("selector"), labels), "the Service selects the dashboard's pods");
        Assert.True(Selects(budget.Map("spec").Map("selector").Map("matchLabels"), labels), "the PodDisruptionBudget selects the dashboard's pods");
        Assert.Equal(port.Str("name"), service.Map("spec").Seq("ports").Children.Single().Str("targetPort"));
        var backend = documents.Single(d => d.Str("kind") == "Ingress").Map("spec").Seq("rules").Children.Single()
            .Map("http").Seq("paths").Children.Single().Map("backend").Map("service");
        Assert.Equal(service.Map("metadata").Str("name"), backend.Str("name"));
        Assert.Equal(service.Map("spec").Seq("ports").Children.Single().Str("name"), backend.Map("port").Str("name"));
    }

    [Fact]
    public void Kubernetes_KustomizationListsEveryManifest()
    {
        var listed = Repository.ReadYaml("deploy/kubernetes/kustomization.yaml").Single().Seq("resources").Children.Select(r => r.Scalar()!).Order();
        var files = Directory.GetFiles(Repository.PathOf("deploy/kubernetes"), "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();

        Assert.Equal(files, listed);
    }

    [Fact]
    public void Compose_ServicesSettingsAndPortsMatchTheApp()
    {
        var services = Repository.ReadYaml("deploy/compose.yaml").Single().Map("services");
        Assert.Equal(["dashboard", "postgres", "worker"], services.Children.Keys.Select(k => k.Scalar()!).Order());

        var names = new List<string>();
        foreach (var name in new[] { "dashboard", "worker" })
        {
            var service = services.Map(name);
            names.AddRange(service.Map("environment").Children.Keys.Select(k => k.Scalar()!));
            Assert.Equal("true", service.Str("read_only"));
            Assert.Equal($"deploy/docker/{name}.Dockerfile", service.Map("build").Str("dockerfile"));
            Assert.True(File.Exists(Repository.PathOf($"deploy/docker/{name}.Dockerfile")));
            Assert.Equal("service_healthy", service.Map("depends_on").Map("postgres").Str("condition"));
        }

        // The example env file's settings, also those left commented out for the operator to fill in.
        names.AddRange(Repository.Read("deploy/observe.env.example").Split('\n')
            .Select(l => l.TrimStart('#', ' '))
            .Where(l => l.StartsWith("Observe__", StringComparison.Ordinal))
            .Select(l => l[..l.IndexOf('=', StringComparison.Ordinal)]));
        AssertSettingsExist(names);
        Assert.Contains("Observe__Auth__BrowserToken", names);

        Assert.Equal($"127.0.0.1:8080:{DashboardPort}", services.Map("dashboard").Seq("ports").Children.Single().Scalar());
    }

    [Fact]
    public void Fargate_TaskSettingsAndPortsMatchTheApp()
    {
        var resources = CloudFormationTemplateTests.Template("deploy/cloudformation/dashboard-fargate.yaml").Map("Resources");
        var names = new List<string>();
        foreach (var task in new[] { "DashboardTask", "WorkerTask" })
        {
            var container = resources.Map(task).Map("Properties").Seq("ContainerDefinitions").Children.Single();
            names.AddRange(SettingNames(container.Get("Environment")));
            names.AddRange(container.Get("Secrets").Items().Select(s => s.Str("Name")));
            Assert.Equal("true", container.Str("ReadonlyRootFilesystem"));
        }

        AssertSettingsExist(names.Where(n => n.StartsWith("Observe__", StringComparison.Ordinal)));
        Assert.Contains("Observe__Store__ConnectionString", names);

        var dashboard = resources.Map("DashboardTask").Map("Properties").Seq("ContainerDefinitions").Children.Single();
        Assert.Equal(DashboardPort, SettingValue(dashboard.Get("Environment"), "ASPNETCORE_HTTP_PORTS"));
        // Sign-in by the load balancer: the dashboard checks the header it signs against its own ARN and region.
        Assert.Equal("AwsAlb", SettingValue(dashboard.Get("Environment"), "Observe__Auth__Mode"));
        var environment = dashboard.Get("Environment").Items().ToList();
        Assert.Equal("LoadBalancer", environment.Single(e => e.Get("Name").Scalar() == "Observe__Auth__AwsAlb__AlbArn").Map("Value").Str("Ref"));
        Assert.Equal("AWS::Region", environment.Single(e => e.Get("Name").Scalar() == "Observe__Auth__AwsAlb__Region").Map("Value").Str("Ref"));
        Assert.Equal(DashboardPort, dashboard.Seq("PortMappings").Children.Single().Str("ContainerPort"));
        Assert.Equal(DashboardPort, resources.Map("DashboardTargets").Map("Properties").Str("Port"));
        Assert.Equal(DashboardPort, resources.Map("DashboardService").Map("Properties").Seq("LoadBalancers").Children.Single().Str("ContainerPort"));
        Assert.Equal("/health", resources.Map("DashboardTargets").Map("Properties").Str("HealthCheckPath"));
    }

    [Theory]
    [InlineData("dashboard")]
    [InlineData("worker")]
    public void Dockerfile_IsMultiStagePinnedAndNonRoot(string name)
    {
        var lines = Instructions(Repository.Read($"deploy/docker/{name}.Dockerfile"));
        var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(["FROM ${SDK_IMAGE} AS build", "FROM ${RUNTIME_IMAGE}"], froms);
        Assert.Contains(lines, l => l.StartsWith("RUN for image in \"$SDK_IMAGE\" \"$RUNTIME_IMAGE\"", StringComparison.Ordinal) && l.Contains("*@sha256:", StringComparison.Ordinal));
        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.Matches(@"^USER [1-9]\d{3,}:[1-9]\d{3,}$", user);
        Assert.EndsWith($"Observe.{(name == "dashboard" ? "Dashboard" : "Collectors.Worker")}.dll\"]", lines.Last(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal)), StringComparison.Ordinal);
        if (name == "dashboard")
        {
            Assert.Contains($"ENV ASPNETCORE_HTTP_PORTS={DashboardPort}", lines);
            Assert.Contains($"EXPOSE {DashboardPort}", lines);
            Assert.Contains($"/dev/tcp/127.0.0.1/{DashboardPort}", lines.Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Contains("GET /health HTTP/1.0", lines.Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal)), StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Every path a probe or health check in deploy/ asks, asked of the dashboard itself: each must answer 200 once the
    /// store is migrated, as the orchestrators expect of a ready replica.
    /// </summary>
    [Fact]
    public async Task ProbedPaths_AreAnsweredByTheDashboard()
    {
        var paths = ProbedPaths().Distinct().Order().ToList();
        Assert.Equal(["/alive", "/health"], paths);

        var data = Directory.CreateTempSubdirectory("observe-deploy-tests-");
        try
        {
            await using var app = DashboardApp.Build([], builder =>
            {
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Observe:Store:Kind"] = "Sqlite",
                    ["Observe:Store:DataDirectory"] = data.FullName,
                    ["Observe:Demo:Enabled"] = "false",
                });
            });
            await app.StartDashboardAsync(CancellationToken.None);
            using var client = new HttpClient { BaseAddress = app.GetListeningUrls()[0] };
            foreach (var path in paths)
            {
                using var response = await client.GetAsync(new Uri(path, UriKind.Relative));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }

            await app.StopAsync();
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static IEnumerable<string> ProbedPaths()
    {
        var dashboard = Containers(Deployment(KubernetesDocuments(), "observe-dashboard")).Single();
        foreach (var probe in new[] { "startupProbe", "livenessProbe", "readinessProbe" })
        {
            yield return dashboard.Map(probe).Map("httpGet").Str("path");
        }

        yield return CloudFormationTemplateTests.Template("deploy/cloudformation/dashboard-fargate.yaml")
            .Map("Resources").Map("DashboardTargets").Map("Properties").Str("HealthCheckPath");
        var healthCheck = Instructions(Repository.Read("deploy/docker/dashboard.Dockerfile")).Single(l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal));
        yield return HealthCheckPath().Match(healthCheck).Groups["path"].Value;
    }

    [GeneratedRegex(@"GET (?<path>/\S*) HTTP")]
    private static partial Regex HealthCheckPath();

    private static void AssertSettingsExist(IEnumerable<string> names)
    {
        var list = names.ToList();
        Assert.NotEmpty(list);
        var problems = list.Select(ConfigurationKeys.Problem).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private static List<YamlNode> KubernetesDocuments() =>
        Directory.GetFiles(Repository.PathOf("deploy/kubernetes"), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Repository.ReadYaml(Path.GetRelativePath(Repository.Root, f)))
            .ToList();

    private static YamlNode Deployment(IEnumerable<YamlNode> documents, string name) =>
        documents.Single(d => d.Str("kind") == "Deployment" && d.Map("metadata").Str("name") == name);

    private static IEnumerable<YamlNode> Containers(YamlNode deployment) =>
        deployment.Map("spec").Map("template").Map("spec").Seq("containers").Children;

    private static IEnumerable<string> ProbePorts(YamlNode container) =>
        new[] { "startupProbe", "livenessProbe", "readinessProbe" }.Select(p => container.Map(p).Map("httpGet").Str("port"));

    private static bool Selects(YamlMappingNode selector, YamlMappingNode labels) =>
        selector.Children.All(s => labels.Children.TryGetValue(s.Key, out var v) && v.Scalar() == s.Value.Scalar());

    /// <summary>The Name of every environment entry, also those inside Fn::If.</summary>
    private static IEnumerable<string> SettingNames(YamlNode? node) => node switch
    {
        YamlMappingNode map when map.Get("Name").Scalar() is { } name => [name],
        YamlMappingNode map => map.Children.Values.SelectMany(SettingNames),
        YamlSequenceNode list => list.Children.SelectMany(SettingNames),
        _ => [],
    };

    private static string? SettingValue(YamlNode? environment, string name) =>
        environment.Items().FirstOrDefault(e => e.Get("Name").Scalar() == name)?.Str("Value");

    /// <summary>Dockerfile instructions with continuation lines joined and comments dropped.</summary>
    private static List<string> Instructions(string dockerfile) =>
        dockerfile.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => Regex.Replace(l, @"\s+", " "))
            .ToList();
}
