using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace CivicDesk.Web.Shared;

/// <summary>How every edit page answers a change: the same rules for units, channels and users.</summary>
public static class OutcomePages
{
    /// <summary>
    /// Success: a flash message and a redirect back to the page (post/redirect/get). Forbidden: 403, before reloading,
    /// since the page loads only for those who may change the object and a person who may see it but not change it
    /// must be told so, not that it does not exist. Not found: 404. Otherwise the page again, each message beside
    /// its field; <paramref name="reload"/> fills the page's model and answers false when the object is gone.
    /// </summary>
    public static async Task<IActionResult> AnswerAsync<T>(this PageModel page, Outcome<T> outcome, Func<Task<bool>> reload, string flash, object? routeValues)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(reload);
        if (outcome.Succeeded)
        {
            page.TempData["Flash"] = flash;
            return page.RedirectToPage(routeValues);
        }

        if (outcome.Failure == Failure.Forbidden)
        {
            return page.Forbid();
        }

        if (outcome.Failure == Failure.NotFound || !await reload())
        {
            return page.NotFound();
        }

        outcome.CopyTo(page.ModelState);
        return page.Page();
    }
}
