using System.Diagnostics;

namespace ExitKit.Cli.Tests;

/// <summary>Runs the built <c>exitkit</c> as a separate process and captures what a user would see.</summary>
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

    public static async Task<Outcome> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ExitKitDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new Outcome(process.ExitCode, await output, await error);
    }

    public static Task<Outcome> RunAsync(params string[] arguments) => RunAsync(null, arguments);
}
