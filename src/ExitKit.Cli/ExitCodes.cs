namespace ExitKit.Cli;

/// <summary>The exit codes scripts can trust, in one place.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done and holds.</summary>
    public const int Success = 0;
    /// <summary>The work ran, and its result is incomplete or invalid (a package fails verification, rows are missing, an obligation is not met).</summary>
    public const int Incomplete = 1;
    /// <summary>The input could not be used (missing file, malformed config, unknown connector, broken plugin, wrong credentials).</summary>
    public const int UnusableInput = 2;
    /// <summary>Cancelled by the user (Ctrl+C).</summary>
    public const int Cancelled = 130;

    public static int For(ExitKitException error) => error.Kind == FailureKind.Incomplete ? Incomplete : UnusableInput;
}
