using System.Text;
using Azure.Storage.Sas;

namespace ExitKit.Storage.Tests;

/// <summary>No SAS, account key or connection string reaches a manifest, a package file, the CLI's output or an error message.</summary>
public sealed class SecretTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task AssertNowhereAsync(string location, IEnumerable<ExitKitProcess.Outcome> outcomes, params string[] secrets)
    {
        foreach (var outcome in outcomes)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, outcome.All, StringComparison.Ordinal);
            }
        }
        var (container, prefix) = Azurite.Parts(location);
        var files = 0;
        await foreach (var blob in container.GetBlobsAsync(cancellationToken: Token))
        {
            files++;
            var text = Encoding.UTF8.GetString((await container.GetBlobClient(blob.Name).DownloadContentAsync(Token)).Value.Content.ToArray());
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            }
        }
        Assert.True(files > 20, $"{prefix}: {files} files");
    }

    [Fact]
    public async Task A_SAS_URL_works_for_export_verify_inspect_and_seal_and_its_token_is_never_shown()
    {
        var location = Azurite.NewLocation("sas");
        var (container, _) = Azurite.Parts(location);
        var sas = container.GenerateSasUri(BlobContainerSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1));
        var withSas = location + sas.Query;
        var signature = sas.Query.Split('&').Single(part => part.StartsWith("sig=", StringComparison.Ordinal))[4..];
        var work = PackageSource.TemporaryFolder("sas");
        try
        {
            var config = ExitKitProcess.SampleConfig(work, 200);
            var outcomes = new List<ExitKitProcess.Outcome>
            {
                await ExitKitProcess.RunAsync(null, "export", "--connector", "sample", "--config", config, "--out", withSas),
                await ExitKitProcess.RunAsync(null, "export", "--connector", "sample", "--config", config, "--out", withSas, "--json"),
                await ExitKitProcess.RunAsync(null, "verify", withSas),
                await ExitKitProcess.RunAsync(null, "verify", withSas, "--json"),
                await ExitKitProcess.RunAsync(null, "inspect", withSas),
            };
            Assert.True(outcomes[0].ExitCode == 0, outcomes[0].All);
            Assert.Equal(2, outcomes[1].ExitCode); // the location holds a sealed package now
            Assert.True(outcomes[2].ExitCode == 0, outcomes[2].All);
            Assert.Contains(location, outcomes[2].Output, StringComparison.Ordinal);

            // A SAS the service refuses: the error says why, without the token.
            var forged = withSas.Replace(signature, Convert.ToBase64String(new byte[32]).Replace("=", "%3D", StringComparison.Ordinal), StringComparison.Ordinal);
            var refused = await ExitKitProcess.RunAsync(null, "verify", forged);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("403", refused.Error, StringComparison.Ordinal);
            outcomes.Add(refused);
            outcomes.Add(await ExitKitProcess.RunAsync(null, "seal", forged));

            await AssertNowhereAsync(location, outcomes, sas.Query.TrimStart('?'), signature, Uri.UnescapeDataString(signature), "sig=");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task A_connection_string_given_by_reference_is_used_and_neither_it_nor_its_key_is_ever_shown()
    {
        var connection = Azurite.ConnectionString();
        var key = connection.Split(';').Single(part => part.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        var location = Azurite.NewLocation("connection");
        var work = PackageSource.TemporaryFolder("connection");
        try
        {
            var config = ExitKitProcess.SampleConfig(work, 200);
            var environment = new Dictionary<string, string?> { ["MY_STORAGE"] = connection };
            var outcomes = new List<ExitKitProcess.Outcome>
            {
                await ExitKitProcess.RunAsync(environment, "export", "--connector", "sample", "--config", config, "--out", location, "--blob-connection", "env:MY_STORAGE"),
                await ExitKitProcess.RunAsync(environment, "--blob-connection", "env:MY_STORAGE", "verify", location),
            };
            Assert.True(outcomes[0].ExitCode == 0, outcomes[0].All);
            Assert.True(outcomes[1].ExitCode == 0, outcomes[1].All);

            // Without any credential for plain http, the message says what to give.
            var none = await ExitKitProcess.RunAsync(null, "verify", location);
            Assert.Equal(2, none.ExitCode);
            Assert.Contains("--blob-connection", none.Error, StringComparison.Ordinal);

            // A wrong key, a malformed string, a literal instead of a reference: refused, and the secret is not echoed.
            var wrongKey = connection.Replace(key, Convert.ToBase64String(new byte[64]), StringComparison.Ordinal);
            var wrong = await ExitKitProcess.RunAsync(new Dictionary<string, string?> { ["EXITKIT_BLOB_CONNECTION_STRING"] = wrongKey }, "verify", location);
            Assert.Equal(2, wrong.ExitCode);
            Assert.Contains("403", wrong.Error, StringComparison.Ordinal);
            var malformed = await ExitKitProcess.RunAsync(new Dictionary<string, string?> { ["MY_STORAGE"] = $"AccountKey={key};Nonsense" },
                "verify", location, "--blob-connection", "env:MY_STORAGE");
            Assert.Equal(2, malformed.ExitCode);
            Assert.Contains("not a valid Azure Storage connection string", malformed.Error, StringComparison.Ordinal);
            var literal = await ExitKitProcess.RunAsync(null, "verify", location, "--blob-connection", connection);
            Assert.Equal(2, literal.ExitCode);
            outcomes.AddRange([none, wrong, malformed, literal]);

            await AssertNowhereAsync(location, outcomes, key, Convert.ToBase64String(new byte[64]), connection);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
