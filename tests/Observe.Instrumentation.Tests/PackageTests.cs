using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Xml.Linq;

namespace Observe.Instrumentation.Tests;

/// <summary>
/// The package as function authors get it: scripts/test.sh packs it into artifacts/packages after the build
/// (<c>dotnet pack instrumentation/Observe.Instrumentation -c Release --no-build -o artifacts/packages</c>), and these
/// tests open the .nupkg. Besides the IL in lib/, it carries ReadyToRun code for Lambda's Linux platforms in
/// runtimes/&lt;rid&gt;/lib/, which is what keeps the package's code from being JIT-compiled on a cold start.
/// </summary>
public class PackageTests
{
    // crossgen2 marks an image compiled for Linux by XOR-ing the machine type with this value.
    private const ushort LinuxMachineOverride = 0x7B79;

    public static TheoryData<string, Machine> ReadyToRunImages => new()
    {
        { "runtimes/linux-x64/lib/net8.0/Observe.Instrumentation.dll", Machine.Amd64 },
        { "runtimes/linux-x64/lib/net10.0/Observe.Instrumentation.dll", Machine.Amd64 },
        { "runtimes/linux-arm64/lib/net10.0/Observe.Instrumentation.dll", Machine.Arm64 },
    };

    [Theory]
    [MemberData(nameof(ReadyToRunImages))]
    public void RuntimeSpecificAssembly_IsReadyToRunForItsPlatform_WithTheSameTypesAsTheIl(string entry, Machine machine)
    {
        using var package = OpenPackage();
        var image = Read(package, entry);
        var framework = entry.Split('/')[3];
        var il = Read(package, $"lib/{framework}/Observe.Instrumentation.dll");

        using var native = new PEReader(new MemoryStream(image));
        Assert.True(native.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, $"{entry} has no ReadyToRun header.");
        Assert.Equal((ushort)((ushort)machine ^ LinuxMachineOverride), (ushort)native.PEHeaders.CoffHeader.Machine);

        using var portable = new PEReader(new MemoryStream(il));
        Assert.Equal(0, portable.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size);
        Assert.Equal(Describe(portable), Describe(native));
    }

    [Fact]
    public void Package_HasTheIlForEveryFramework_TheReadme_TheLicenseAndSymbols()
    {
        using var package = OpenPackage();
        var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("lib/net8.0/Observe.Instrumentation.dll", entries);
        Assert.Contains("lib/net10.0/Observe.Instrumentation.dll", entries);
        Assert.Contains("lib/net8.0/Observe.Instrumentation.xml", entries);
        Assert.Contains("README.md", entries);

        using var nuspecStream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var nuspec = XDocument.Load(nuspecStream);
        XNamespace ns = nuspec.Root!.Name.NamespaceName;
        var metadata = nuspec.Root.Element(ns + "metadata")!;
        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.True(File.Exists(Path.ChangeExtension(PackagePath(), ".snupkg")), "The symbol package is missing.");
    }

    private static ZipArchive OpenPackage() => ZipFile.OpenRead(PackagePath());

    private static string PackagePath()
    {
        var version = typeof(ObserveLambda).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        var path = Path.Combine(RepositoryRoot(), "artifacts", "packages", $"Observe.Instrumentation.{version}.nupkg");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: scripts/test.sh packs it; alone, run 'dotnet pack instrumentation/Observe.Instrumentation -c Release -o artifacts/packages' first.");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Observe.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Observe.sln not found above " + AppContext.BaseDirectory);
    }

    private static byte[] Read(ZipArchive package, string entry)
    {
        var found = package.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException($"The package has no {entry}.");
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Assembly version and every type and method name: equal when both images come from the same source.</summary>
    private static string Describe(PEReader image)
    {
        var reader = image.GetMetadataReader();
        var names = reader.TypeDefinitions
            .Select(reader.GetTypeDefinition)
            .SelectMany(t => t.GetMethods().Select(m => $"{reader.GetString(t.Namespace)}.{reader.GetString(t.Name)}::{reader.GetString(reader.GetMethodDefinition(m).Name)}"))
            .Order(StringComparer.Ordinal);
        return reader.GetAssemblyDefinition().Version + "\n" + string.Join("\n", names);
    }
}
