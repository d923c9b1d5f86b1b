namespace ExitKit.Storage;

/// <summary>Opens the package store a location names.</summary>
public static class PackageStores
{
    /// <summary>Opens a local folder (a path or <c>file://</c> URL).</summary>
    /// <exception cref="ExitKitException">The location names a kind of store this build cannot open.</exception>
    public static IPackageStore Open(string location)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "az" or "azure")
        {
            throw new ExitKitException($"Package location '{uri.GetLeftPart(UriPartial.Path)}' is a URL; this build opens local folders only.");
        }
        var path = location.StartsWith("file://", StringComparison.Ordinal) ? new Uri(location).LocalPath : location;
        return new LocalPackageStore(path);
    }
}
