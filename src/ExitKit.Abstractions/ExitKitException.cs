using System.Globalization;

namespace ExitKit;

/// <summary>What kind of failure an <see cref="ExitKitException"/> reports; the CLI maps it to an exit code.</summary>
public enum FailureKind
{
    /// <summary>The input cannot be used (missing file, malformed config, unknown table, wrong credentials): exit 2.</summary>
    UnusableInput,
    /// <summary>The work ran but its result is incomplete or invalid: exit 1.</summary>
    Incomplete,
}

/// <summary>The one exception family of ExitKit. Messages name the file, row or obligation and say what to do.</summary>
/// <remarks>Create instances through the factory methods so messages live in one place.</remarks>
public sealed class ExitKitException : Exception
{
    /// <summary>Creates an exception with a message written for the person running ExitKit.</summary>
    public ExitKitException(string message, FailureKind kind = FailureKind.UnusableInput, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Creates an exception (for serializers and analyzers).</summary>
    public ExitKitException() : this("ExitKit failed.") { }

    /// <summary>Creates an exception (for serializers and analyzers).</summary>
    public ExitKitException(string message) : this(message, FailureKind.UnusableInput) { }

    /// <summary>Creates an exception (for serializers and analyzers).</summary>
    public ExitKitException(string message, Exception innerException) : this(message, FailureKind.UnusableInput, innerException) { }

    /// <summary>Whether the input was unusable or the result incomplete.</summary>
    public FailureKind Kind { get; }

    /// <summary>The neutral format has no table of this name.</summary>
    public static ExitKitException UnknownTable(string tableName) =>
        new($"There is no neutral table named '{tableName}'. Run `exitkit inspect --tables` or see docs/format.md for the table names.");

    /// <summary>A file the command needs does not exist.</summary>
    public static ExitKitException FileNotFound(string path, string whatItIs) =>
        new($"{whatItIs} '{path}' does not exist. Check the path.");

    /// <summary>A file could not be parsed.</summary>
    public static ExitKitException Malformed(string path, string reason, long? line = null, long? column = null, Exception? inner = null)
    {
        var where = line is null ? path : string.Create(CultureInfo.InvariantCulture, $"{path}:{line}:{column ?? 1}");
        return new($"{where}: {reason}", FailureKind.UnusableInput, inner);
    }

    /// <summary>A configuration setting is missing or wrong.</summary>
    public static ExitKitException BadSetting(string configPath, string setting, string reason) =>
        new($"{configPath}: setting '{setting}' {reason}");

    /// <summary>A secret reference could not be resolved. The message never contains the secret.</summary>
    public static ExitKitException SecretUnavailable(string reference, string reason) =>
        new($"The secret '{reference}' could not be read: {reason}. Secrets come from environment variables (env:NAME) or files (file:/path).");

    /// <summary>A row does not fit its table's schema.</summary>
    public static ExitKitException RowDoesNotFit(string tableName, string? sourceId, string reason) =>
        new($"Table {tableName}, row {sourceId ?? "(no source_id)"}: {reason}. The connector produced a row that does not fit the neutral schema.",
            FailureKind.UnusableInput);

    /// <summary>A source could not be reached or read.</summary>
    public static ExitKitException SourceFailed(string connector, string reason, Exception? inner = null) =>
        new($"Connector {connector}: {reason}", FailureKind.UnusableInput, inner);

    /// <summary>A package is not usable (not found, not sealed, manifest unreadable).</summary>
    public static ExitKitException PackageUnusable(string location, string reason) =>
        new($"Package {location}: {reason}");
}
