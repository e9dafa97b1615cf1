using System.Runtime.CompilerServices;

namespace Observe.Collectors.Tests.Credentials;

/// <summary>
/// Points HOME and the shared AWS config and credentials files at an empty directory for the whole test process,
/// before any AWSSDK type reads them: AWSSDK.Core reads these locations once per process, and no test may pick up
/// the machine's own profiles or credentials. The SSO tests write their profiles and tokens there.
/// </summary>
internal static class IsolatedAwsConfig
{
    public static string Home { get; } = Path.Combine(Path.GetTempPath(), $"observe-collectors-tests-home-{Environment.ProcessId}");

    public static string ConfigFile => Path.Combine(Home, ".aws", "config");

    public static string SsoCache => Path.Combine(Home, ".aws", "sso", "cache");

#pragma warning disable CA2255 // A module initializer is the one hook that runs before any test (and any AWSSDK type).
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Initialize()
    {
        Directory.CreateDirectory(SsoCache);
        File.WriteAllText(ConfigFile, "");
        File.WriteAllText(Path.Combine(Home, ".aws", "credentials"), "");
        foreach (var variable in new[] { "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSO" })
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        Environment.SetEnvironmentVariable("HOME", Home);
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", ConfigFile);
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(Home, ".aws", "credentials"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Home, recursive: true);
            }
            catch (IOException)
            {
            }
        };
    }
}
