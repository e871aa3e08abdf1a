using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CivicDesk.Web.Data.Migrations.Sqlite
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_site_sessions_SiteId_LastAt",
                table: "site_sessions",
                columns: new[] { "SiteId", "LastAt" });
        }
    }
}
