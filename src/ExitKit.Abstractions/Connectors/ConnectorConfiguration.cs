using System.Text.Json;

namespace ExitKit.Connectors;

/// <summary>A connector's settings, read from a JSON config file, with secrets resolved from the environment or files.</summary>
/// <remarks>
/// A setting that holds a secret is written in the config file as a reference, never as the secret itself:
/// <c>"env:ZENDESK_TOKEN"</c> reads an environment variable, <c>"file:/run/secrets/token"</c> reads a file.
/// Connectors bind their options with <see cref="Bind{T}"/> and turn secret references into <see cref="Secret"/> values
/// with <see cref="ResolveSecret"/>.
/// </remarks>
public sealed class ConnectorConfiguration
{
    private static readonly JsonSerializerOptions BindingOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>Creates a configuration from settings and the path of the file they came from.</summary>
    public ConnectorConfiguration(JsonElement settings, string sourcePath, Func<string, string?>? environment = null)
    {
        Settings = settings;
        SourcePath = sourcePath;
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    private readonly Func<string, string?> _environment;

    /// <summary>The raw settings object.</summary>
    public JsonElement Settings { get; }

    /// <summary>The config file the settings came from, for error messages; relative paths in settings resolve against its folder.</summary>
    public string SourcePath { get; }

    /// <summary>The folder relative paths in the settings resolve against.</summary>
    public string BaseDirectory => Path.GetDirectoryName(Path.GetFullPath(SourcePath)) ?? Directory.GetCurrentDirectory();

    /// <summary>Reads a JSON config file.</summary>
    /// <exception cref="ExitKitException">The file is missing or is not a JSON object; the message names the line.</exception>
    public static ConnectorConfiguration Load(string path)
    {
        if (!File.Exists(path))
        {
            throw ExitKitException.FileNotFound(path, "Config file");
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ExitKitException.Malformed(path, "a config file must be a JSON object of settings.");
            }
            return new ConnectorConfiguration(document.RootElement.Clone(), path);
        }
        catch (JsonException error)
        {
            throw ExitKitException.Malformed(path, $"not valid JSON: {error.Message}", (error.LineNumber ?? 0) + 1, (error.BytePositionInLine ?? 0) + 1, error);
        }
    }

    /// <summary>An empty configuration, for connectors that need no settings.</summary>
    public static ConnectorConfiguration Empty { get; } = new(JsonDocument.Parse("{}").RootElement.Clone(), "(no config)");

    /// <summary>Binds the settings to an options class; unknown settings are refused so typos do not pass silently.</summary>
    /// <exception cref="ExitKitException">A setting is unknown or has the wrong type.</exception>
    public T Bind<T>() where T : new()
    {
        try
        {
            return Settings.Deserialize<T>(BindingOptions) ?? new T();
        }
        catch (JsonException error)
        {
            var setting = string.IsNullOrEmpty(error.Path) ? "(root)" : error.Path.TrimStart('$', '.');
            throw ExitKitException.BadSetting(SourcePath, setting, $"cannot be used: {error.Message}");
        }
    }

    /// <summary>Resolves a secret reference (<c>env:NAME</c> or <c>file:PATH</c>).</summary>
    /// <exception cref="ExitKitException">The reference is a literal secret, or names a variable or file that does not exist.</exception>
    public Secret ResolveSecret(string reference, string settingName)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.StartsWith("env:", StringComparison.Ordinal))
        {
            var name = reference[4..];
            return new Secret(_environment(name) ?? throw ExitKitException.SecretUnavailable(reference, $"environment variable {name} is not set"));
        }
        if (reference.StartsWith("file:", StringComparison.Ordinal))
        {
            var path = Path.Combine(BaseDirectory, reference[5..]);
            return File.Exists(path)
                ? new Secret(File.ReadAllText(path).TrimEnd('\r', '\n'))
                : throw ExitKitException.SecretUnavailable(reference, "the file does not exist");
        }
        // Literal secrets would end up in config files checked into repositories; refuse them and do not echo the value.
        throw ExitKitException.BadSetting(SourcePath, settingName, "must be a secret reference (env:NAME or file:PATH), not the secret itself.");
    }

    /// <summary>Resolves a path setting against the config file's folder.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));
}
