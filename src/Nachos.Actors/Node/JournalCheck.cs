using Microsoft.Data.Sqlite;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Node;

/// <summary>
/// Checks a run directory's SQLite journal before the node opens it: that SQLite can read it
/// (<c>PRAGMA quick_check</c>), that it belongs to this study (name and split-plan hash, stored in the
/// journal's own <c>nachos_study</c> table), and that a directory which already holds a study still has
/// its journal. Starting on any of these would crash, hang, re-run every finished task or mix two studies.
/// </summary>
public static class JournalCheck
{
    private const string Recovery = "see \"Recovering a run directory\" in docs/operations.md";
    private const string Table = "nachos_study";

    /// <exception cref="JournalCheckException">the journal is damaged, missing or another study's.</exception>
    public static void Verify(string runDir, string study, string planHash)
    {
        var journal = RunLayout.JournalPath(runDir);
        var exists = File.Exists(journal) && new FileInfo(journal).Length > 0;
        if (!exists && HoldsStudy(runDir))
            throw new JournalCheckException(
                $"{runDir} holds study files (spec.yaml, splits.json or task folders) but {(File.Exists(journal) ? "an empty" : "no")} journal.db: it was deleted, truncated or never copied. "
                + $"Starting here would run every finished task again; put back journal.db (with journal.db-wal if there is one) from a backup, or move the directory away to start the study over ({Recovery})");
        Directory.CreateDirectory(runDir);
        try
        {
            using var db = new SqliteConnection($"Data Source={journal};Pooling=False");
            db.Open();
            if (exists)
            {
                var check = Scalar(db, "PRAGMA quick_check");
                if (check != "ok") throw Damaged(journal, check ?? "no answer");
            }
            var stored = StoredIdentity(db);
            if (stored is null)
            {
                // A journal without the table was written before it existed: its study entity's id says whose it is.
                var others = Column(db, "SELECT DISTINCT persistence_id FROM journal WHERE persistence_id LIKE 'study-%'", "journal")
                    .Where(id => id != $"study-{study}").ToList();
                if (others.Count > 0) throw Foreign(journal, others[0]["study-".Length..], "?", study, planHash);
                Execute(db, $"CREATE TABLE IF NOT EXISTS {Table} (study TEXT NOT NULL, plan_hash TEXT NOT NULL)");
                using var insert = db.CreateCommand();
                insert.CommandText = $"INSERT INTO {Table} (study, plan_hash) VALUES ($study, $plan)";
                insert.Parameters.AddWithValue("$study", study);
                insert.Parameters.AddWithValue("$plan", planHash);
                insert.ExecuteNonQuery();
                if (!exists) Execute(db, "PRAGMA journal_mode=WAL");
            }
            else if (stored.Value.Study != study || stored.Value.PlanHash != planHash)
                throw Foreign(journal, stored.Value.Study, stored.Value.PlanHash, study, planHash);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 11 or 26) // SQLITE_CORRUPT, SQLITE_NOTADB
        {
            throw Damaged(journal, e.Message);
        }
    }

    /// <summary>Whether the directory already holds a study: its stored spec or plan, a report or a task folder.</summary>
    public static bool HoldsStudy(string runDir) =>
        Directory.Exists(runDir)
        && (new[] { RunLayout.Spec, RunLayout.Splits, RunLayout.Report }.Any(f => File.Exists(Path.Combine(runDir, f)))
            || Directory.EnumerateDirectories(runDir).Any(d => TaskAddress.IsFoldFolder(Path.GetFileName(d))));

    private static JournalCheckException Damaged(string journal, string detail) =>
        new($"{journal} is damaged (SQLite: {FirstLine(detail)}). Put back a backup of it, or move the run directory away to start the study over ({Recovery})");

    private static JournalCheckException Foreign(string journal, string storedStudy, string storedPlan, string study, string planHash) =>
        new($"{journal} belongs to study '{storedStudy}' (split plan {Short(storedPlan)}), not to '{study}' (split plan {Short(planHash)}): "
            + $"it was copied from another run directory. Put back this study's journal.db, or choose another --run-dir ({Recovery})");

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;

    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        return line.Length > 200 ? line[..200] : line;
    }

    private static (string Study, string PlanHash)? StoredIdentity(SqliteConnection db)
    {
        if (Scalar(db, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{Table}'") is null) return null;
        using var query = db.CreateCommand();
        query.CommandText = $"SELECT study, plan_hash FROM {Table} LIMIT 1";
        using var row = query.ExecuteReader();
        return row.Read() ? (row.GetString(0), row.GetString(1)) : null;
    }

    private static List<string> Column(SqliteConnection db, string sql, string table)
    {
        if (Scalar(db, $"SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{table}'") is null) return [];
        using var query = db.CreateCommand();
        query.CommandText = sql;
        using var rows = query.ExecuteReader();
        var values = new List<string>();
        while (rows.Read()) values.Add(rows.GetString(0));
        return values;
    }

    private static string? Scalar(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar() as string;
    }

    private static void Execute(SqliteConnection db, string sql)
    {
        using var command = db.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

}

public sealed class JournalCheckException(string message) : Exception(message);
