namespace Nachos.Host.Application;

/// <summary>Why an operation was refused; the API answers 400, 404 or 409 (Api/Problems), a command exits 2.</summary>
public enum RefusalKind
{
    BadRequest,
    NotFound,
    Conflict,
}

public sealed record Refusal(RefusalKind Kind, string Detail)
{
    public static Refusal BadRequest(string detail) => new(RefusalKind.BadRequest, detail);
    public static Refusal NotFound(string detail) => new(RefusalKind.NotFound, detail);
    public static Refusal Conflict(string detail) => new(RefusalKind.Conflict, detail);
    public static Refusal UnknownStudy(string id) => NotFound($"no study '{id}' in this campaign");
}

/// <summary>What an operation answers: its value, or the refusal that explains why there is none.</summary>
public sealed class Outcome<T> where T : class
{
    private Outcome(T? value, Refusal? refusal) => (Value, Refusal) = (value, refusal);

    public T? Value { get; }
    public Refusal? Refusal { get; }

    public static implicit operator Outcome<T>(T value) => new(value, null);
    public static implicit operator Outcome<T>(Refusal refusal) => new(null, refusal);
}
