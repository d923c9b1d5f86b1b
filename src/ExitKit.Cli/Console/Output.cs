using Spectre.Console;

namespace ExitKit.Cli.Console;

/// <summary>Where the CLI writes: rich tables and progress on a terminal, plain lines when redirected or asked for JSON.</summary>
internal sealed class Output
{
    public Output(TextWriter standardOutput, TextWriter standardError, bool interactive)
    {
        Out = standardOutput;
        Error = standardError;
        Interactive = interactive;
        Terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(standardOutput),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Yes : InteractionSupport.No,
        });
    }

    public static Output ForProcess() => new(System.Console.Out, System.Console.Error,
        !System.Console.IsOutputRedirected && Environment.GetEnvironmentVariable("CI") is null && Environment.GetEnvironmentVariable("NO_COLOR") is null);

    public TextWriter Out { get; }
    public TextWriter Error { get; }
    public bool Interactive { get; }
    public IAnsiConsole Terminal { get; }

    /// <summary>An output that shows nothing (the progress of a --json run), with errors still on standard error.</summary>
    public static Output Quiet() => new(TextWriter.Null, System.Console.Error, interactive: false);

    public void Line(string text) => Out.WriteLine(text);

    public void Fail(string message) => Error.WriteLine("exitkit: " + message);
}
