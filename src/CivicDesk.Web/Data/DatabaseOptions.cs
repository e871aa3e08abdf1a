using System.ComponentModel.DataAnnotations;

namespace CivicDesk.Web.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Section <c>Database</c>: which engine holds CivicDesk's data and how to reach it.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>
    /// For SQLite, a relative <c>Data Source</c> is resolved against the content root, and its folder is created.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=data/civicdesk.db";

    /// <summary>Apply pending migrations when the web app starts (the one-command promise of the README).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
