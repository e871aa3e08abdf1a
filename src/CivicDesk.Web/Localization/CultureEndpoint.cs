using CivicDesk.Web.Accounts;
using CivicDesk.Web.Data;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Localization;

internal static class CultureEndpoint
{
    /// <summary>POST /culture: switch the interface language, remembered in a cookie and on the person's account.</summary>
    public static IEndpointRouteBuilder MapCultureSwitch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/culture", async ([FromForm] string? culture, [FromForm] string? returnUrl, HttpContext context, AppDbContext db, Permissions.CurrentUser currentUser) =>
        {
            var code = Cultures.IsSupported(culture) ? culture! : Cultures.Vietnamese;
            context.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                Cultures.CookieValue(code),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
            if (currentUser.Id is { } id)
            {
                await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, code));
            }

            return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
        }).AllowAnonymous();
        return app;
    }

    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    /// <summary>Sets the culture cookie from the account's remembered choice (called at sign-in).</summary>
    internal static void Remember(HttpContext context, User user)
    {
        if (Cultures.IsSupported(user.PreferredCulture))
        {
            context.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                Cultures.CookieValue(user.PreferredCulture!),
                new CookieOptions { MaxAge = TimeSpan.FromDays(365), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = true });
        }
    }
}
