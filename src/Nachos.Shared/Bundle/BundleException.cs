namespace Nachos.Shared.Bundle;

/// <summary>A bundle that cannot be used: its message is one line naming the file (and key) at fault, never its content.</summary>
public sealed class BundleException(string message) : Exception(message);
