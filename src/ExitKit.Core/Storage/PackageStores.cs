namespace ExitKit.Storage;

/// <summary>Opens the package store a location names.</summary>
public static class PackageStores
{
    /// <summary>Opens a local folder (a path or <c>file://</c> URL) or an Azure Blob container prefix (an <c>http(s)://</c> URL).</summary>
    /// <param name="location">The folder or URL. A URL's query string is a SAS token; it is never shown.</param>
    /// <param name="blobConnectionString">A storage connection string for a blob location; when null, the URL's SAS, then
    /// <c>EXITKIT_BLOB_CONNECTION_STRING</c>, then the Azure identity chain are used.</param>
    /// <exception cref="ExitKitException">The location names a kind of store this build cannot open.</exception>
    public static IPackageStore Open(string location, string? blobConnectionString = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (AzureBlobPackageStore.IsBlobLocation(location))
        {
            return AzureBlobPackageStore.Open(location, blobConnectionString);
        }
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "az" or "azure" or "abfs" or "abfss" or "wasb" or "wasbs")
        {
            throw new ExitKitException($"Package location '{AzureBlobPackageStore.PublicLocation(location)}' uses a scheme ExitKit does not read; " +
                "write a blob container as https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX.");
        }
        var path = location.StartsWith("file://", StringComparison.Ordinal) ? new Uri(location).LocalPath : location;
        return new LocalPackageStore(path);
    }
}
