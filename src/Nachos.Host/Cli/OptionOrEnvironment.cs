using System.CommandLine;

namespace Nachos.Host.Cli;

/// <summary>
/// An option's value, else its NACHOS_* environment variable's (docs/operations.md lists them): the one way
/// options fall back to the environment. Not a default value factory: --help would print the variable's
/// value, and some are secrets (NACHOS_POSTGRES, NACHOS_TOKEN).
/// </summary>
public static class OptionOrEnvironment
{
    public static string? Text(ParseResult r, Option<string?> option, string variable) => r.GetValue(option) ?? Variable(variable);

    /// <returns>-1 for a variable that is not a number (refused by the caller's range check).</returns>
    public static int? Number(ParseResult r, Option<int?> option, string variable) =>
        r.GetValue(option) ?? (Variable(variable) is { } v ? int.TryParse(v, out var n) ? n : -1 : null);

    /// <summary>A repeatable option, else the variable split at <paramref name="separator"/>.</summary>
    public static string[] List(ParseResult r, Option<string[]> option, string variable, char separator) =>
        r.GetValue(option) is { Length: > 0 } given ? given
        : Variable(variable)?.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
