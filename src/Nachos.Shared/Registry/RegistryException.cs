namespace Nachos.Shared.Registry;

/// <summary>Bad input to the model registry (an evaluation that does not fit its bundle, an unknown metric…); the message names the file or value.</summary>
public sealed class RegistryException(string message) : Exception(message);
