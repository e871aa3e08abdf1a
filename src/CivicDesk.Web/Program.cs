using CivicDesk.Web.Accounts;
using CivicDesk.Web.Api;
using CivicDesk.Web.Audit;
using CivicDesk.Web.Channels;
using CivicDesk.Web.Cli;
using CivicDesk.Web.Data;
using CivicDesk.Web.Health;
using CivicDesk.Web.Jobs;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Shared;
using CivicDesk.Web.SiteAnalytics;
using CivicDesk.Web.SiteAnalytics.Crossing;
using CivicDesk.Web.SiteAnalytics.Ingestion;
using CivicDesk.Web.Units;

// The table of contents of CivicDesk: one Add and one Map per capability (STYLE.md, habit 2).
var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultAddress();

builder.Services.AddWebPlatform(builder.Configuration);
builder.Services.AddDatabase(builder.Configuration, builder.Environment);
builder.Services.AddAccounts();
builder.Services.AddAudit();
builder.Services.AddUnits();
builder.Services.AddChannels();
builder.Services.AddSiteAnalytics();
builder.Services.AddApi();
builder.Services.AddHealth();
builder.Services.AddJobs(jobs => jobs
    .Add<RevokedTokenPurgeJob>("revoked-token-purge", TimeSpan.FromHours(6))
    .Add<SaltRotationJob>("analytics-salt-rotation", TimeSpan.FromHours(1))
    .Add<RetentionJob>("analytics-retention", TimeSpan.FromHours(24))
    .Add<CrossedRollupJob>("analytics-crossed-breakdowns", TimeSpan.FromMinutes(15)));

var app = builder.Build();

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(app, args);
}

await app.MigrateOnStartAsync();
await FirstRunSetup.AnnounceIfNeededAsync(app);

app.UseWebPlatform();
app.MapHealth();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapUnitsApi();
app.MapChannelsApi();
app.MapSiteAnalytics();
app.MapCultureSwitch();
app.MapRazorPages();

await app.RunAsync();
return 0;

/// <summary>The entry point's type, public for WebApplicationFactory in the tests.</summary>
public partial class Program;
