namespace CivicDesk.Web.Tests.Infrastructure;

/// <summary>
/// What the machine offers the tests. Tests that need PostgreSQL or Chromium skip with the reason when those are
/// absent; with CIVICDESK_REQUIRE_ALL=1 (CI) the same absence fails the test instead.
/// </summary>
public static class TestEnvironment
{
    public static string? PostgresConnectionString => Environment.GetEnvironmentVariable("CIVICDESK_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    public static bool RequireAll => Environment.GetEnvironmentVariable("CIVICDESK_REQUIRE_ALL") == "1";

    /// <summary>CIVICDESK_CHROMIUM, else Debian's /usr/bin/chromium when it is installed.</summary>
    public static string? ChromiumPath =>
        Environment.GetEnvironmentVariable("CIVICDESK_CHROMIUM") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium" : null;

    /// <summary>Skips the test with <paramref name="reason"/>, or fails it when every test is required.</summary>
    public static void Unavailable(string reason)
    {
        if (RequireAll)
        {
            Assert.Fail($"CIVICDESK_REQUIRE_ALL=1 but {reason}");
        }

        Assert.Skip(reason);
    }
}
