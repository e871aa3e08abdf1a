using System.Globalization;
using Microsoft.Extensions.Localization;

namespace CivicDesk.Web.Localization;

/// <summary>Marker type for the one resource file pair, SharedResource.vi.resx and SharedResource.en.resx.</summary>
public sealed class SharedResource;

/// <summary>
/// Every string a person reads comes from here, by key, in the request's culture. A key missing from a resource file
/// fails the localization tests, so nothing can be left untranslated in either language.
/// </summary>
public sealed class Text(IStringLocalizer<SharedResource> localizer)
{
    public string this[string key] => localizer[key];

    public string this[string key, params object[] args] =>
        string.Format(CultureInfo.CurrentCulture, localizer[key], args.Select(Formatted).ToArray());

    public bool Has(string key) => !localizer[key].ResourceNotFound;

    private static object Formatted(object arg) => arg switch
    {
        int i => i.ToString("N0", CultureInfo.CurrentCulture),
        long l => l.ToString("N0", CultureInfo.CurrentCulture),
        _ => arg,
    };
}
