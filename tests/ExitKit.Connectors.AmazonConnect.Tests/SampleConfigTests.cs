using ExitKit.Connectors;

namespace ExitKit.Connectors.AmazonConnect.Tests;

/// <summary>The config files shipped beside the connector, with which .ci/run exports the shared samples through the CLI.</summary>
public sealed class SampleConfigTests
{
    [Theory]
    [InlineData("shared-samples.config.json", "routing/amazon-connect")]
    [InlineData("shared-interactions.config.json", "interactions/amazon-connect-contact-lens")]
    public async Task A_sample_config_file_points_at_the_shared_samples_beside_the_repository(string configFile, string samples)
    {
        var repository = new DirectoryInfo(AppContext.BaseDirectory);
        while (repository is not null && !File.Exists(Path.Combine(repository.FullName, "ExitKit.sln")))
        {
            repository = repository.Parent;
        }
        if (repository is null)
        {
            Assert.Skip("the repository is not above the test's base directory");
        }
        var config = ConnectorConfiguration.Load(Path.Combine(repository.FullName, "connectors", "ExitKit.Connectors.AmazonConnect", "samples", configFile));
        var resolved = config.ResolvePath(config.Bind<AmazonConnectOptions>().Path!);

        // Paths resolve against the config file's folder: four levels up is the folder that holds the repository and shared/.
        Assert.Equal(Path.GetFullPath(Path.Combine(repository.Parent!.FullName, "shared", "samples", samples)), resolved);
        if (!Directory.Exists(resolved))
        {
            Assert.Skip($"no shared samples beside this checkout at {resolved}; the path itself is checked above");
        }
        await using var source = new AmazonConnectPlugin().CreateSource(config);
        Assert.Equal("amazon-connect", (await source.DescribeAsync(ExportRequest.Everything, TestContext.Current.CancellationToken)).SourceSystem);
    }
}
