using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CivicDesk.Web.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CivicDesk.Web.Tests.Browser;

/// <summary>What a person does on every journey (sign in, sign out) and what every page must satisfy.</summary>
public static partial class PageChecks
{
    /// <summary>
    /// Every text a person can read or hear on the page: the title, visible text, the options of visible lists, and
    /// the texts in attributes (labels for screen readers, tooltips, confirmation questions). Text marked with a
    /// language other than the page's (the language switch names the other language in that language) is left out.
    /// </summary>
    private const string ReadableTextScript = """
        () => {
          const pageLang = document.documentElement.lang;
          const foreign = el => { const marked = el.closest('[lang]'); return marked !== null && marked !== document.documentElement && marked.lang !== pageLang; };
          const shown = el => el.checkVisibility({ visibilityProperty: true, opacityProperty: false });
          const texts = [document.title];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement;
            if (!el || el.closest('script, style, noscript, template') || foreign(el)) continue;
            const list = el.closest('select');
            if (list ? shown(list) : shown(el)) texts.push(node.textContent);
          }
          for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], [data-confirm], input[type=submit], input[type=button]')) {
            if (foreign(el)) continue;
            for (const name of ['aria-label', 'title', 'placeholder', 'alt', 'data-confirm']) {
              if (el.hasAttribute(name)) texts.push(el.getAttribute(name));
            }
            if (el.matches('input[type=submit], input[type=button]')) texts.push(el.value);
          }
          return texts.map(t => t.replace(/\s+/g, ' ').trim()).filter(t => t.length > 0);
        }
        """;

    /// <summary>The elements that stick out to the right of the window, to say what to fix when a page scrolls sideways.</summary>
    private const string OverflowScript = """
        () => {
          const width = document.documentElement.clientWidth;
          const culprits = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.width > 0 && box.right > width + 0.5 && !el.closest('.table-wrap > *')) {
              culprits.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).trim().replace(/\s+/g, '.') : ''} right=${Math.round(box.right)}: ${(el.textContent || '').trim().slice(0, 40)}`);
            }
          }
          return { scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth, culprits: culprits.slice(0, 8) };
        }
        """;

    /// <summary>Signs in on the sign-in page, whatever its language, and waits until the app is shown.</summary>
    public static async Task SignInAsync(this IPage page, string email, string password = AppFactory.Password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/account/login");
        await page.Locator("#Email").FillAsync(email);
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("main form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#sidebar")).ToBeAttachedAsync();
    }

    /// <summary>Signs out with the side bar's button (opening the menu first on a phone).</summary>
    public static async Task SignOutAsync(this IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var signOut = page.Locator("#sidebar form[action='/account/logout'] button");
        if (!await signOut.IsVisibleAsync())
        {
            await page.Locator("[data-menu-toggle]").ClickAsync();
        }

        await signOut.ClickAsync();
        await page.ArrivesAtAsync("/account/login");
    }

    /// <summary>
    /// Waits until the address is the given path (any query after it), without waiting for the page's load event:
    /// WaitForURLAsync also waits for "load", which on a busy machine has been missed after a redirect that had
    /// already arrived. What the page shows is then asserted by the caller's own expectations.
    /// </summary>
    public static async Task ArrivesAtAsync(this IPage page, string path)
    {
        ArgumentNullException.ThrowIfNull(page);
        await Expect(page).ToHaveURLAsync(new Regex("^[^?#]*" + Regex.Escape(path) + "([?#].*)?$"));
    }

    public static async Task<IReadOnlyList<string>> ReadableTextsAsync(this IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return await page.EvaluateAsync<string[]>(ReadableTextScript);
    }

    /// <summary>Fails when the document is wider than the window, naming the elements that stick out.</summary>
    public static async Task AssertNoSidewaysScrollingAsync(this IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var result = await page.EvaluateAsync<JsonElement>(OverflowScript);
        var scrollWidth = result.GetProperty("scrollWidth").GetInt32();
        var width = result.GetProperty("width").GetInt32();
        var culprits = result.GetProperty("culprits").EnumerateArray().Select(c => c.GetString());
        Assert.True(
            scrollWidth <= width,
            $"{page.Url} scrolls sideways at {width}px (document is {scrollWidth}px wide): {string.Join(" | ", culprits)}");
    }

    /// <summary>
    /// Texts that contain letters found in Vietnamese but not in English: đ, and the marks of ă â ê ô ơ ư and of the
    /// five tones (checked on the decomposed form, so precomposed and decomposed input are both caught).
    /// </summary>
    public static IReadOnlyList<string> WithVietnameseLetters(IEnumerable<string> texts) =>
        texts.Where(t => t.Normalize(NormalizationForm.FormD).Any(IsVietnameseMark)).ToList();

    /// <summary>Texts that look like a resource key shown instead of its message, e.g. "Units.Title" or "Field.name".</summary>
    public static IReadOnlyList<string> WithResourceKeys(IEnumerable<string> texts) =>
        texts.Where(t => ResourceKey().IsMatch(t)).ToList();

    private static bool IsVietnameseMark(char c) =>
        c is 'đ' or 'Đ'
        || (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark
            && c is '\u0300' or '\u0301' or '\u0302' or '\u0303' or '\u0306' or '\u0309' or '\u031B' or '\u0323');

    [GeneratedRegex(@"\b[A-Z][A-Za-z]+(\.[A-Za-z0-9_]+)+\b")]
    private static partial Regex ResourceKey();
}
