using System.Text.Json;
using ExitKit.Connectors;
using ExitKit.Connectors.Sample;
using ExitKit.Export;
using ExitKit.Storage;

namespace ExitKit.Core.Tests;

/// <summary>Builds packages of the sample stack for tests.</summary>
internal static class SamplePackages
{
    public static readonly ConnectorDescriptor Descriptor = new SamplePlugin().Descriptor;

    public static ISourceConnector Source(int interactions, string extraSettings = "") =>
        new SamplePlugin().CreateSource(new ConnectorConfiguration(
            JsonDocument.Parse($$"""{"interactions": {{interactions}}{{extraSettings}}}""").RootElement.Clone(), "(test)"));

    public static async Task<ExportResult> ExportAsync(string folder, int interactions, ExportOptions? options = null, string extraSettings = "",
        CancellationToken cancellationToken = default)
    {
        await using var source = Source(interactions, extraSettings);
        return await ExportPipeline.RunAsync(source, Descriptor, new LocalPackageStore(folder), options ?? new ExportOptions(), null, cancellationToken);
    }

    public static string TemporaryFolder(string purpose) => Directory.CreateTempSubdirectory($"exitkit-{purpose}-").FullName;
}

/// <summary>One demo package shared by the read-only tests of a class.</summary>
public sealed class DemoPackageFixture : IAsyncLifetime
{
    public string Folder { get; } = SamplePackages.TemporaryFolder("demo");
    public ExportResult Result { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Result = await SamplePackages.ExportAsync(Folder, 2_000);

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
