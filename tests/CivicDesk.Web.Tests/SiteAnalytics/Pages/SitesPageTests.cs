using System.Net;
using System.Text.RegularExpressions;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Tests.SiteAnalytics.Pages;

/// <summary>/sites: the sites in the person's scope with today's numbers; adding a site, with errors beside the fields.</summary>
public abstract partial class SitesPageTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : AppFactory
{
    [Fact]
    public async Task A_viewer_sees_the_sites_of_their_unit_and_its_sub_units_with_today_s_visitors_and_no_form()
    {
        app.EnsureAvailable();
        var parent = await app.CreateUnitAsync();
        var child = await app.CreateUnitAsync(parentId: parent.Id);
        var sibling = await app.CreateUnitAsync();
        var own = await Analytics.CreateSiteAsync(app, unitId: parent.Id);
        var below = await Analytics.CreateSiteAsync(app, unitId: child.Id);
        var other = await Analytics.CreateSiteAsync(app, unitId: sibling.Id);
        var client = app.CreateClient();
        await Analytics.SendAsync(client, own.Domain, "/", ip: "203.0.113.51");
        await Analytics.SendAsync(client, own.Domain, "/gioi-thieu", ip: "203.0.113.51");
        await Analytics.SendAsync(client, own.Domain, "/", ip: "203.0.113.52");
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.CountAsync(e => e.SiteId == own.Id)).ContinueWith(t => t.Result == 3), "the events are stored");
        using var viewer = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(parent.Id, Role.Viewer));

        var html = await viewer.GetHtmlAsync("/sites");
        var scoped = await viewer.GetHtmlAsync($"/sites?unit={child.Id}");

        Assert.Equal([own.Domain, below.Domain], Domains(html));
        Assert.DoesNotContain(other.Domain, html, StringComparison.Ordinal);
        Assert.Equal(("2", "2"), Numbers(html, own.Domain));
        Assert.Equal(("0", "0"), Numbers(html, below.Domain));
        Assert.Contains($"href=\"/sites/{own.Id}\"", html, StringComparison.Ordinal);
        Assert.Equal([below.Domain], Domains(scoped));
        Assert.DoesNotContain("name=\"Domain\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/sites\"", await viewer.GetHtmlAsync("/"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vi")]
    [InlineData("en")]
    public async Task Adding_a_site_with_bad_input_says_why_beside_each_field_in_the_person_s_language_and_adds_nothing(string language)
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        var taken = await Analytics.CreateSiteAsync(app, unitId: unit.Id);
        using var editor = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Editor), culture: language);
        var before = await app.WithDbAsync(db => db.Sites.CountAsync());

        var badDomain = await PostAsync(editor, ("Domain", "trang chủ của sở"), ("UnitId", unit.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("TimeZone", "Asia/Ho_Chi_Minh"));
        var duplicate = await PostAsync(editor, ("Domain", "https://www." + taken.Domain.ToUpperInvariant()), ("UnitId", unit.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("TimeZone", "Asia/Ho_Chi_Minh"));
        var badZone = await PostAsync(editor, ("Domain", "moi.gov.vn"), ("UnitId", "0"), ("TimeZone", "Mars/Olympus"));

        Assert.Equal(app.Translate(language, "Site.InvalidDomain"), PageHtml.FieldError(badDomain, "Domain"));
        Assert.Equal(app.Translate(language, "Site.Duplicate", taken.Domain), PageHtml.FieldError(duplicate, "Domain"));
        Assert.Equal(app.Translate(language, "Site.InvalidTimeZone"), PageHtml.FieldError(badZone, "TimeZone"));
        Assert.Equal(app.Translate(language, "Channel.UnitNotFound"), PageHtml.FieldError(badZone, "UnitId"));
        Assert.Equal("", PageHtml.FieldError(badZone, "Domain"));
        // What was typed stays in the form, to be corrected.
        Assert.Contains("value=\"trang chủ của sở\"", badDomain, StringComparison.Ordinal);
        Assert.Equal(before, await app.WithDbAsync(db => db.Sites.CountAsync()));
    }

    [Fact]
    public async Task An_editor_adds_a_site_and_is_shown_the_snippets_and_whether_data_arrives()
    {
        app.EnsureAvailable();
        var unit = await app.CreateUnitAsync();
        using var editor = await BrowserSession.SignInAsync(app, await app.CreateUserAsync(unit.Id, Role.Editor));
        var domain = $"w{Guid.NewGuid():N}"[..12] + ".gov.vn";

        var form = await editor.GetHtmlAsync("/sites");
        var response = await editor.PostFormAsync("/sites", new Dictionary<string, string> { ["Domain"] = "https://www." + domain + "/", ["UnitId"] = unit.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["TimeZone"] = "Asia/Bangkok" });

        Assert.Matches("<option (selected=\"selected\" value=\"Asia/Ho_Chi_Minh\"|value=\"Asia/Ho_Chi_Minh\" selected=\"selected\")>", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var site = await app.WithDbAsync(db => db.Sites.AsNoTracking().SingleAsync(s => s.Domain == domain));
        Assert.Equal(("Asia/Bangkok", unit.Id), (site.TimeZone, site.UnitId));
        Assert.Equal($"/sites/{site.Id}/install", response.Headers.Location!.OriginalString);

        var install = Forms.Text(await editor.GetHtmlAsync($"/sites/{site.Id}/install"));
        Assert.Contains($"Đã thêm website {domain}.", install, StringComparison.Ordinal);
        Assert.Contains($"<script defer data-domain=\"{domain}\" src=\"http://localhost/js/script.js\"></script>", install, StringComparison.Ordinal);
        Assert.Contains($"<iframe src=\"http://localhost/counter/{domain}?culture=vi\" title=\"Thống kê truy cập\"", install, StringComparison.Ordinal);
        Assert.Contains($"http://localhost/api/counter/{domain}", install, StringComparison.Ordinal);
        Assert.Contains("data-install=\"waiting\"", install, StringComparison.Ordinal);

        await Analytics.SendAsync(app.CreateClient(), domain, "/");
        await Eventually.HoldsAsync(() => app.WithDbAsync(db => db.SiteEvents.AnyAsync(e => e.SiteId == site.Id)), "the event is stored");
        var checkedAgain = await editor.GetHtmlAsync($"/sites/{site.Id}/install");
        Assert.Contains("data-install=\"received\"", checkedAgain, StringComparison.Ordinal);
        Assert.Contains(domain, await editor.GetHtmlAsync("/sites"), StringComparison.Ordinal);
    }

    private static async Task<string> PostAsync(BrowserSession session, params (string Key, string Value)[] fields)
    {
        var response = await session.PostFormAsync("/sites", fields.ToDictionary(f => f.Key, f => f.Value));
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected the form again, got {(int)response.StatusCode} {response.Headers.Location}");
        return html;
    }

    private static List<string> Domains(string html) => SiteRow().Matches(html).Select(m => m.Groups["domain"].Value).ToList();

    private static (string Today, string Now) Numbers(string html, string domain)
    {
        var row = Regex.Match(html, $"<tr data-site=\"{Regex.Escape(domain)}\">.*?</tr>", RegexOptions.Singleline).Value;
        string Metric(string name) => Regex.Match(row, $"data-metric=\"{name}\">(?<n>[^<]*)<").Groups["n"].Value;
        return (Metric("today"), Metric("now"));
    }

    [GeneratedRegex("<tr data-site=\"(?<domain>[^\"]+)\">")]
    private static partial Regex SiteRow();
}

public sealed class SitesPageOnSqlite(SqliteAnalyticsApp app) : SitesPageTests<SqliteAnalyticsApp>(app);

public sealed class SitesPageOnPostgres(PostgresAnalyticsApp app) : SitesPageTests<PostgresAnalyticsApp>(app);
