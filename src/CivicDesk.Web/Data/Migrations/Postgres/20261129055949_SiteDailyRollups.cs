using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SiteDailyRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BrowserVersion",
                table: "site_sessions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OsVersion",
                table: "site_sessions",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UtmContent",
                table: "site_sessions",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UtmTerm",
                table: "site_sessions",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "site_stats_daily",
                columns: table => new
                {
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Dimension = table.Column<short>(type: "smallint", nullable: false),
                    Value = table.Column<string>(type: "character varying(800)", maxLength: 800, nullable: false),
                    Visitors = table.Column<long>(type: "bigint", nullable: false),
                    Visits = table.Column<long>(type: "bigint", nullable: false),
                    Pageviews = table.Column<long>(type: "bigint", nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    Bounces = table.Column<long>(type: "bigint", nullable: false),
                    DurationSeconds = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_stats_daily", x => new { x.SiteId, x.Dimension, x.Value, x.Day });
                });

            migrationBuilder.CreateIndex(
                name: "IX_site_stats_daily_SiteId_Dimension_Day",
                table: "site_stats_daily",
                columns: new[] { "SiteId", "Dimension", "Day" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "site_stats_daily");

            migrationBuilder.DropColumn(
                name: "BrowserVersion",
                table: "site_sessions");

            migrationBuilder.DropColumn(
                name: "OsVersion",
                table: "site_sessions");

            migrationBuilder.DropColumn(
                name: "UtmContent",
                table: "site_sessions");

            migrationBuilder.DropColumn(
                name: "UtmTerm",
                table: "site_sessions");
        }
    }
}
