namespace Nachos.Shared.Spec;

/// <summary>A study name: also its folder name under a campaign's studies/ and the first part of its task ids.</summary>
public static class StudyName
{
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 128 && char.IsLetterOrDigit(name[0]) && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.');
}
