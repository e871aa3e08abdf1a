using CivicDesk.Web.SiteAnalytics.Ingestion;

namespace CivicDesk.Web.Tests.SiteAnalytics;

/// <summary>
/// Which of the writer's commits wait for the database's disk (ADR 0008, "Asynchronous commits on PostgreSQL"): on
/// PostgreSQL only those whose checkpoint lets spool segments be deleted, so that no segment goes before a checkpoint
/// past it is durable.
/// </summary>
public sealed class DurableCommitTests
{
    [Theory]
    [InlineData(false, 3, 100, 3, 900, true)] // SQLite: every commit durable
    [InlineData(false, 3, 100, 4, 0, true)]
    [InlineData(true, 3, 100, 3, 900, false)] // PostgreSQL, within the durable checkpoint's segment: nothing to delete
    [InlineData(true, 3, 100, 4, 0, true)] // into the next segment: segment 3 may go once this commit is on disk
    [InlineData(true, 1, 0, 7, 20, true)] // after a backlog spanning several segments
    public void Only_a_commit_that_lets_spool_segments_go_waits_for_the_disk_on_PostgreSQL(
        bool postgres, long durableSegment, long durableOffset, long nextSegment, long nextOffset, bool durably)
    {
        Assert.Equal(durably, EventWriter.CommitsDurably(postgres, new SpoolPosition(durableSegment, durableOffset), new SpoolPosition(nextSegment, nextOffset)));
    }
}
