using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Nachos.Actors.Storage;

/// <summary>Recognises "no space left" wherever it surfaces: a journal write (SQLite, PostgreSQL) or an artifact write (a file).</summary>
public static class DiskFull
{
    /// <summary>ENOSPC on Linux; .NET puts the errno in an <see cref="IOException"/>'s HResult.</summary>
    public const int Errno = 28;

    private const int SqliteFull = 13;

    public static bool Is(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case SqliteException { SqliteErrorCode: SqliteFull }:
                case IOException io when io.HResult == Errno:
                    return true;
                // PostgreSQL's disk_full, without a reference to Npgsql.
                case DbException db when db.SqlState == "53100":
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(Is):
                    return true;
            }
        }
        return false;
    }
}
