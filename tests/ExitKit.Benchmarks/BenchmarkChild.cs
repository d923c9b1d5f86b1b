using System.Diagnostics;
using System.Text.Json;

namespace ExitKit.Benchmarks;

/// <summary>Runs one side of a benchmark in a process of its own (so peak RSS and CPU time are that side's) and reads its figures.</summary>
internal static class BenchmarkChild
{
    /// <summary>Starts this benchmark program with <paramref name="arguments"/>; the child prints its figures as JSON on its last line.</summary>
    public static async Task<T> RunAsync<T>(string[] arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BenchmarkChild).Assembly.Location);
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{arguments[0]} failed: {output}");
        }
        return JsonSerializer.Deserialize<T>(output.Trim().Split('\n')[^1])!;
    }
}
