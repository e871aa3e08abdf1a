using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class VisitsWithoutLastEventIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_site_sessions_SiteId_LastAt",
                table: "site_sessions");

            migrationBuilder.AlterTable(
                name: "site_stats_hourly")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.AlterTable(
                name: "site_stats_daily")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.AlterTable(
                name: "site_sessions")
                .Annotation("Npgsql:StorageParameter:fillfactor", 80);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "site_stats_hourly")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.AlterTable(
                name: "site_stats_daily")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.AlterTable(
                name: "site_sessions")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 80);

            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_LastAt",
                table: "site_sessions",
                columns: new[] { "SiteId", "LastAt" });
        }
    }
}
