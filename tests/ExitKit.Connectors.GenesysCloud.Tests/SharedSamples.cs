namespace ExitKit.Connectors.GenesysCloud.Tests;

/// <summary>Finds the shared vendor samples: EXITKIT_SAMPLES, or a <c>shared/samples</c> folder above the test's base directory.</summary>
internal static class SharedSamples
{
    public static string? Find(string relative)
    {
        var root = Environment.GetEnvironmentVariable("EXITKIT_SAMPLES");
        if (string.IsNullOrEmpty(root))
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "shared", "samples");
                if (Directory.Exists(candidate))
                {
                    root = candidate;
                    break;
                }
            }
        }
        var path = root is null ? null : Path.Combine(root, relative);
        return path is not null && Directory.Exists(path) ? path : null;
    }

    public static string Require(string relative) =>
        Find(relative) ?? throw new InvalidOperationException("unreachable");
}
