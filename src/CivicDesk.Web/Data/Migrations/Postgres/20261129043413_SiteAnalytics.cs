using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    TimeZone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Salt = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_analytics_salts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "analytics_spool_checkpoints",
                columns: table => new
                {
                    SpoolId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Segment = table.Column<long>(type: "bigint", nullable: false),
                    Offset = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_analytics_spool_checkpoints", x => x.SpoolId);
                });

            migrationBuilder.CreateTable(
                name: "site_events",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    EventId = table.Column<Guid>(type: "uuid", nullable: false),
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    Timestamp = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Name = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: false),
                    Hostname = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    Pathname = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    VisitorId = table.Column<long>(type: "bigint", nullable: false),
                    SessionId = table.Column<long>(type: "bigint", nullable: false),
                    ReferrerHost = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    Source = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    UtmSource = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmMedium = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmCampaign = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmTerm = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmContent = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Browser = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    BrowserVersion = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    Os = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    OsVersion = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    Device = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    Props = table.Column<string>(type: "character varying(8192)", maxLength: 8192, nullable: false),
                    RevenueAmount = table.Column<decimal>(type: "numeric(18,4)", precision: 18, scale: 4, nullable: true),
                    RevenueCurrency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    Interactive = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_events", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "site_sessions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    SessionId = table.Column<long>(type: "bigint", nullable: false),
                    VisitorId = table.Column<long>(type: "bigint", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    LastAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Pageviews = table.Column<int>(type: "integer", nullable: false),
                    Events = table.Column<int>(type: "integer", nullable: false),
                    InteractiveEvents = table.Column<int>(type: "integer", nullable: false),
                    EntryPage = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ExitPage = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ReferrerHost = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    Source = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: true),
                    UtmSource = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmMedium = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    UtmCampaign = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: true),
                    Country = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Browser = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Os = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Device = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_sessions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "site_stats_hourly",
                columns: table => new
                {
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    Hour = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Pageviews = table.Column<long>(type: "bigint", nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    Visits = table.Column<long>(type: "bigint", nullable: false),
                    NewVisitors = table.Column<long>(type: "bigint", nullable: false),
                    Bounces = table.Column<long>(type: "bigint", nullable: false),
                    DurationSeconds = table.Column<long>(type: "bigint", nullable: false),
                    BotsDropped = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_stats_hourly", x => new { x.SiteId, x.Hour });
                });

            migrationBuilder.CreateTable(
                name: "sites",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UnitId = table.Column<int>(type: "integer", nullable: false),
                    Domain = table.Column<string>(type: "character varying(253)", maxLength: 253, nullable: false),
                    TimeZone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CounterStartTotal = table.Column<long>(type: "bigint", nullable: false),
                    RetentionMonths = table.Column<int>(type: "integer", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ArchivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    IsDemo = table.Column<bool>(type: "boolean", nullable: false)
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
