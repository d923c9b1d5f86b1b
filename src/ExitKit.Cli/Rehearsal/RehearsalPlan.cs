using System.Text.Json;
using ExitKit.Connectors;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ExitKit.Cli.Rehearsal;

/// <summary>A rehearsal plan (YAML): the source to export, the schedule to validate against, the staging successor to import into.</summary>
internal sealed record RehearsalPlan
{
    public required string Name { get; init; }
    public required string PlanFile { get; init; }
    public required ConnectorStep Source { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public required string Package { get; init; }
    public string? Schedule { get; init; }
    public ConnectorStep? Successor { get; init; }
    public required string ReportFolder { get; init; }
    public string? PreviousReport { get; init; }

    internal sealed record ConnectorStep(string Connector, ConnectorConfiguration Configuration);

    /// <summary>Reads a plan; relative paths resolve against the plan's folder.</summary>
    public static RehearsalPlan Load(string path)
    {
        if (!File.Exists(path))
        {
            throw ExitKitException.FileNotFound(path, "Rehearsal plan");
        }
        Dictionary<string, object?> root;
        try
        {
            root = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(File.ReadAllText(path))
                ?? throw ExitKitException.Malformed(path, "the plan is empty.");
        }
        catch (YamlException error)
        {
            throw ExitKitException.Malformed(path, $"not valid YAML: {error.InnerException?.Message ?? error.Message}", error.Start.Line, error.Start.Column, error);
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string Resolve(string value) => Path.GetFullPath(Path.Combine(folder, value));
        string Required(string key) => root.TryGetValue(key, out var value) && value is string text && text.Length > 0
            ? text : throw ExitKitException.Malformed(path, $"the plan needs '{key}'.");
        var known = new[] { "name", "source", "from", "to", "package", "schedule", "successor", "report", "previousReport" };
        foreach (var key in root.Keys.Where(key => !known.Contains(key)))
        {
            throw ExitKitException.Malformed(path, $"unknown setting '{key}'; a plan has {string.Join(", ", known)}.");
        }
        return new RehearsalPlan
        {
            Name = root.TryGetValue("name", out var name) ? name as string ?? "rehearsal" : "rehearsal",
            PlanFile = Path.GetFullPath(path),
            Source = Step(path, folder, root, "source") ?? throw ExitKitException.Malformed(path, "the plan needs a 'source' with a 'connector'."),
            From = Day(path, root, "from"),
            To = Day(path, root, "to")?.AddDays(1),
            Package = Resolve(Required("package")),
            Schedule = root.TryGetValue("schedule", out var schedule) && schedule is string schedulePath ? Resolve(schedulePath) : null,
            Successor = Step(path, folder, root, "successor"),
            ReportFolder = Resolve(root.TryGetValue("report", out var report) && report is string reportPath ? reportPath : "rehearsal-report"),
            PreviousReport = root.TryGetValue("previousReport", out var previous) && previous is string previousPath ? Resolve(previousPath) : null,
        };
    }

    private static DateTimeOffset? Day(string path, Dictionary<string, object?> root, string key) =>
        !root.TryGetValue(key, out var value) || value is null ? null
        : DateOnly.TryParseExact(value.ToString(), "yyyy-MM-dd", out var day) ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
        : throw ExitKitException.Malformed(path, $"'{key}: {value}' is not a date; write yyyy-MM-dd.");

    private static ConnectorStep? Step(string path, string folder, Dictionary<string, object?> root, string key)
    {
        if (!root.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }
        if (value is not Dictionary<object, object?> step || step.GetValueOrDefault("connector") is not string connector)
        {
            throw ExitKitException.Malformed(path, $"'{key}' needs a 'connector' and either 'config' (a JSON file) or 'settings'.");
        }
        if (step.GetValueOrDefault("config") is string config)
        {
            return new ConnectorStep(connector, ConnectorConfiguration.Load(Path.Combine(folder, config)));
        }
        // Inline settings become the same JSON a config file would hold; relative paths resolve against the plan.
        var settings = JsonSerializer.SerializeToElement(Normalise(step.GetValueOrDefault("settings")) ?? new Dictionary<string, object?>());
        return new ConnectorStep(connector, new ConnectorConfiguration(settings, path));
    }

    private static object? Normalise(object? value) => value switch
    {
        Dictionary<object, object?> map => map.ToDictionary(pair => pair.Key.ToString()!, pair => Normalise(pair.Value)),
        List<object?> list => list.Select(Normalise).ToList(),
        string text when long.TryParse(text, out var number) => number,
        string text when bool.TryParse(text, out var flag) => flag,
        _ => value,
    };
}
