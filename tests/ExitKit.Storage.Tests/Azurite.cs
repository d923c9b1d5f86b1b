using Azure.Storage.Blobs;

namespace ExitKit.Storage.Tests;

/// <summary>The Azurite blob service the CI starts (.ci/services/azurite.sh); tests skip when it is not there.</summary>
internal static class Azurite
{
    public const string Variable = "EXITKIT_TEST_AZURITE";

    /// <summary>The connection string, or a skip naming what to run.</summary>
    public static string ConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(value))
        {
            Assert.Skip($"{Variable} is not set: start Azurite with `bash .ci/services/azurite.sh /tmp` and export the line it writes to /tmp/env.");
        }
        return value;
    }

    public static BlobServiceClient Service() => new(ConnectionString());

    /// <summary>The account's blob endpoint (http://127.0.0.1:10000/devstoreaccount1).</summary>
    public static string Endpoint() => Service().Uri.ToString().TrimEnd('/');

    /// <summary>A fresh container and prefix, as a package URL.</summary>
    public static string NewLocation(string purpose)
    {
        var container = $"t-{purpose}-{Guid.NewGuid():N}".ToLowerInvariant();
        container = container[..Math.Min(63, container.Length)];
        Service().GetBlobContainerClient(container).CreateIfNotExists();
        return $"{Endpoint()}/{container}/exports/package-1";
    }

    public static AzureBlobPackageStore Open(string location) => AzureBlobPackageStore.Open(location, ConnectionString());

    /// <summary>The container client and blob name prefix a location names.</summary>
    public static (BlobContainerClient Container, string Prefix) Parts(string location)
    {
        var path = new Uri(location).AbsolutePath.Trim('/').Split('/', 3);
        return (Service().GetBlobContainerClient(path[1]), path[2] + "/");
    }
}
