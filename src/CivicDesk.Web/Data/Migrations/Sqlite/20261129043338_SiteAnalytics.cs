using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SiteAnalytics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "analytics_salts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Salt = table.Column<byte[]>(type: "BLOB", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_analytics_salts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "analytics_spool_checkpoints",
                columns: table => new
                {
                    SpoolId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Segment = table.Column<long>(type: "INTEGER", nullable: false),
                    Offset = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_analytics_spool_checkpoints", x => x.SpoolId);
                });

            migrationBuilder.CreateTable(
                name: "site_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    EventId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SiteId = table.Column<int>(type: "INTEGER", nullable: false),
                    Timestamp = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    Hostname = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Pathname = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    VisitorId = table.Column<long>(type: "INTEGER", nullable: false),
                    SessionId = table.Column<long>(type: "INTEGER", nullable: false),
                    ReferrerHost = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    UtmSource = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmMedium = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmCampaign = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmTerm = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmContent = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Browser = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    BrowserVersion = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Os = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    OsVersion = table.Column<string>(type: "TEXT", maxLength: 50, nullable: true),
                    Device = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    Props = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: false),
                    RevenueAmount = table.Column<decimal>(type: "TEXT", precision: 18, scale: 4, nullable: true),
                    RevenueCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    Interactive = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "site_sessions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    SiteId = table.Column<int>(type: "INTEGER", nullable: false),
                    SessionId = table.Column<long>(type: "INTEGER", nullable: false),
                    VisitorId = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    LastAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Pageviews = table.Column<int>(type: "INTEGER", nullable: false),
                    Events = table.Column<int>(type: "INTEGER", nullable: false),
                    InteractiveEvents = table.Column<int>(type: "INTEGER", nullable: false),
                    EntryPage = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ExitPage = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    ReferrerHost = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 253, nullable: true),
                    UtmSource = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmMedium = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    UtmCampaign = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    Country = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    Browser = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Os = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Device = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_sessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "site_stats_hourly",
                columns: table => new
                {
                    SiteId = table.Column<int>(type: "INTEGER", nullable: false),
                    Hour = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Pageviews = table.Column<long>(type: "INTEGER", nullable: false),
                    Events = table.Column<long>(type: "INTEGER", nullable: false),
                    Visits = table.Column<long>(type: "INTEGER", nullable: false),
                    NewVisitors = table.Column<long>(type: "INTEGER", nullable: false),
                    Bounces = table.Column<long>(type: "INTEGER", nullable: false),
                    DurationSeconds = table.Column<long>(type: "INTEGER", nullable: false),
                    BotsDropped = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_stats_hourly", x => new { x.SiteId, x.Hour });
                });

            migrationBuilder.CreateTable(
                name: "sites",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    UnitId = table.Column<int>(type: "INTEGER", nullable: false),
                    Domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CounterStartTotal = table.Column<long>(type: "INTEGER", nullable: false),
                    RetentionMonths = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ArchivedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    IsDemo = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sites", x => x.Id);
                    table.ForeignKey(
                        name: "FK_sites_units_UnitId",
                        column: x => x.UnitId,
                        principalTable: "units",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_analytics_salts_TimeZone_Day",
                table: "analytics_salts",
                columns: new[] { "TimeZone", "Day" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_site_events_EventId",
                table: "site_events",
                column: "EventId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_site_events_SiteId_Timestamp",
                table: "site_events",
                columns: new[] { "SiteId", "Timestamp" });

            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_LastAt",
                table: "site_sessions",
                columns: new[] { "SiteId", "LastAt" });

            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_SessionId",
                table: "site_sessions",
                columns: new[] { "SiteId", "SessionId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_StartedAt",
                table: "site_sessions",
                columns: new[] { "SiteId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_VisitorId",
                table: "site_sessions",
                columns: new[] { "SiteId", "VisitorId" });

            migrationBuilder.CreateIndex(
                name: "IX_sites_Domain",
                table: "sites",
                column: "Domain",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sites_UnitId",
                table: "sites",
                column: "UnitId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "analytics_salts");

            migrationBuilder.DropTable(
                name: "analytics_spool_checkpoints");

            migrationBuilder.DropTable(
                name: "site_events");

            migrationBuilder.DropTable(
                name: "site_sessions");

            migrationBuilder.DropTable(
                name: "site_stats_hourly");

            migrationBuilder.DropTable(
                name: "sites");
        }
    }
}
