using ExitKit.Validation.Checks;

namespace ExitKit.Validation;

/// <summary>The one place where validation outcomes become process exit codes.</summary>
/// <remarks>
/// 0: every obligation met. 1: the package was validated and at least one obligation is not met or could not be
/// checked (the package does not prove the schedule). 2: unusable input — the package or schedule could not be read
/// (an <see cref="ExitKitException"/> of kind <see cref="FailureKind.UnusableInput"/>).
/// </remarks>
public static class ExitCodes
{
    /// <summary>Every obligation met.</summary>
    public const int AllMet = 0;
    /// <summary>Some obligation not met or not checkable.</summary>
    public const int NotAllMet = 1;
    /// <summary>The package or schedule could not be used.</summary>
    public const int UnusableInput = 2;

    /// <summary>The exit code for an overall outcome.</summary>
    public static int For(Outcome outcome) => outcome == Outcome.Met ? AllMet : NotAllMet;

    /// <summary>The exit code for a failure.</summary>
    public static int For(ExitKitException exception) =>
        exception?.Kind == FailureKind.Incomplete ? NotAllMet : UnusableInput;
}
