using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CrossedBreakdowns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "site_crossed_days",
                columns: table => new
                {
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    ComputedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Visits = table.Column<long>(type: "bigint", nullable: false),
                    Pageviews = table.Column<long>(type: "bigint", nullable: false),
                    Events = table.Column<long>(type: "bigint", nullable: false),
                    DurationSeconds = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_crossed_days", x => new { x.SiteId, x.Day });
                });

            migrationBuilder.CreateTable(
                name: "site_stats_crossed",
                columns: table => new
                {
                    SiteId = table.Column<int>(type: "integer", nullable: false),
                    FilterDimension = table.Column<short>(type: "smallint", nullable: false),
                    FilterValue = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Dimension = table.Column<short>(type: "smallint", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    Value = table.Column<string>(type: "character varying(400)", maxLength: 400, nullable: false),
                    Visitors = table.Column<int>(type: "integer", nullable: false),
                    Visits = table.Column<int>(type: "integer", nullable: false),
                    Pageviews = table.Column<int>(type: "integer", nullable: false),
                    Events = table.Column<int>(type: "integer", nullable: false),
                    Bounces = table.Column<int>(type: "integer", nullable: false),
                    DurationSeconds = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_site_stats_crossed", x => new { x.SiteId, x.Day, x.FilterDimension, x.FilterValue, x.Dimension, x.Value });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "site_crossed_days");

            migrationBuilder.DropTable(
                name: "site_stats_crossed");
        }
    }
}
