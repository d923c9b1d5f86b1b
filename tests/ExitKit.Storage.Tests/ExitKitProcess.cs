using System.Diagnostics;

namespace ExitKit.Storage.Tests;

/// <summary>Runs the built <c>exitkit</c> as a separate process, as a user (or a Kubernetes job) would.</summary>
internal static class ExitKitProcess
{
    public sealed record Outcome(int ExitCode, string Output, string Error)
    {
        public string All => Output + Error;
    }

    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ExitKit.sln")))
        {
            folder = folder.Parent;
        }
        return folder?.FullName ?? throw new InvalidOperationException("ExitKit.sln not found above the test's folder.");
    }

    private static string Configuration =>
#if CONFIGURATION_Release
        "Release";
#else
        "Debug";
#endif

    public static string ExitKitDll => Path.Combine(RepositoryRoot(), "src/ExitKit.Cli/bin", Configuration, "net10.0/exitkit.dll");

    public static Process Start(IReadOnlyDictionary<string, string?>? environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ExitKitDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CI"] = "true";
        // The connection string of the machine running the tests must not stand in for the credential a test means to use.
        start.Environment.Remove("EXITKIT_BLOB_CONNECTION_STRING");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        return Process.Start(start)!;
    }

    public static async Task<Outcome> RunAsync(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        using var process = Start(environment, arguments);
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Outcome(process.ExitCode, await output, await error);
    }

    /// <summary>Writes the sample connector's config file and returns its path.</summary>
    public static string SampleConfig(string folder, int interactions)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "sample.json");
        File.WriteAllText(path, $$"""{"interactions": {{interactions}}}""");
        return path;
    }
}
