using CivicDesk.Web.Data;
using CivicDesk.Web.Permissions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;

namespace CivicDesk.Web.Accounts;

internal static class AccountsSetup
{
    /// <summary>The policy of every /api/v1 endpoint: a personal API token, nothing else (no cookie, so no CSRF).</summary>
    public const string ApiPolicy = "api";

    /// <summary>
    /// The scheme of the fallback policy: the API token under /api, the sign-in cookie elsewhere. Requests that match
    /// no API endpoint (an unknown id, a method or content type the route does not take) are then answered 404, 405 or
    /// 415 to the program that sent them, instead of being redirected to the sign-in page.
    /// </summary>
    private const string RequestScheme = "request";

    public static IServiceCollection AddAccounts(this IServiceCollection services)
    {
        services.AddScoped(sp => CurrentUser.FromPrincipal(sp.GetRequiredService<IHttpContextAccessor>().HttpContext?.User));
        services.AddScoped<UnitAccess>();
        services.AddScoped<Shared.Navigation>();
        services.AddScoped<UserService>();
        services.AddScoped<ApiTokenService>();
        services.AddSingleton<FirstRunSetup>();

        services.AddIdentityCore<User>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = true;
                options.Password.RequireLowercase = true;
                options.Password.RequireUppercase = true;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.SignIn.RequireConfirmedAccount = false;
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddErrorDescriber<LocalizedIdentityErrors>();

        services.AddAuthentication(IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null)
            .AddPolicyScheme(RequestScheme, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Path.StartsWithSegments("/api") ? ApiTokenAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();

        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.AccessDeniedPath = "/account/denied";
            options.Cookie.Name = "civicdesk.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
        });

        // A disabled account or a changed password ends other sessions within a minute.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(RequestScheme).RequireAuthenticatedUser().Build())
            .AddPolicy(ApiPolicy, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());

        return services;
    }
}
