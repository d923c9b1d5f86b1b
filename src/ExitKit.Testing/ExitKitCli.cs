using System.Diagnostics;

namespace ExitKit.Testing;

/// <summary>The `exitkit` CLI as the solution built it, for tests that run the command as a user would.</summary>
public static class ExitKitCli
{
    /// <summary>How to start <c>exitkit</c> of the given build configuration with these arguments; output is redirected and
    /// <c>CI=true</c> keeps the output to plain lines.</summary>
    /// <exception cref="InvalidOperationException">No ExitKit.sln above the test's folder.</exception>
    public static ProcessStartInfo StartInfo(string configuration, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ExitKit.sln")))
        {
            folder = folder.Parent;
        }
        var exitkit = Path.Combine(folder?.FullName ?? throw new InvalidOperationException("ExitKit.sln not found above the test's folder."),
            "src/ExitKit.Cli/bin", configuration, "net10.0/exitkit.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(exitkit);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["CI"] = "true";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        return start;
    }
}
