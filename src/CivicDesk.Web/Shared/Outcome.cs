using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace CivicDesk.Web.Shared;

public enum Failure
{
    None,
    Validation,
    NotFound,
    Forbidden,
    Conflict,
}

/// <summary>
/// The result of a change asked of a capability's service: the value, or why not, with translated messages keyed by
/// the field concerned. Pages put the messages beside the fields; the API turns them into ProblemDetails.
/// </summary>
public sealed record Outcome<T>(T? Value, Failure Failure, IReadOnlyDictionary<string, string[]> Errors)
{
    private static readonly Dictionary<string, string[]> NoErrors = [];

    public bool Succeeded => Failure == Failure.None;

    public static Outcome<T> Ok(T value) => new(value, Failure.None, NoErrors);

    public static Outcome<T> Invalid(string field, string message) => Fail(Failure.Validation, field, message);

    public static Outcome<T> Invalid(IReadOnlyDictionary<string, string[]> errors) => new(default, Failure.Validation, errors);

    public static Outcome<T> Conflict(string field, string message) => Fail(Failure.Conflict, field, message);

    public static Outcome<T> NotFound() => new(default, Failure.NotFound, NoErrors);

    public static Outcome<T> Forbidden(string message) => Fail(Failure.Forbidden, "", message);

    public static Outcome<T> Fail(Failure failure, string field, string message) =>
        new(default, failure, new Dictionary<string, string[]> { [field] = [message] });

    public Outcome<TOther> As<TOther>() => new(default, Failure, Errors);

    /// <summary>
    /// Copies the messages into a page's model state, each beside its field. Field names match page properties
    /// (model state ignores case); <paramref name="renames"/> maps the few that cannot.
    /// </summary>
    public void CopyTo(ModelStateDictionary modelState, params (string Field, string Property)[] renames)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        foreach (var (field, messages) in Errors)
        {
            var key = renames.FirstOrDefault(r => r.Field == field).Property ?? field;
            foreach (var message in messages)
            {
                modelState.AddModelError(key, message);
            }
        }
    }
}

/// <summary>Checks shared by every capability's input rules, with the same translated messages everywhere.</summary>
public static class Validate
{
    /// <summary>Trims <paramref name="value"/>; null when it is empty or longer than <paramref name="maxLength"/>.</summary>
    public static string? Text(string? value, int maxLength, string field, Localization.Text text, Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        // Vietnamese text arrives precomposed (NFC) or decomposed (NFD) depending on the keyboard: store one form.
        var trimmed = value?.Trim().Normalize(System.Text.NormalizationForm.FormC);
        if (string.IsNullOrEmpty(trimmed))
        {
            errors[field] = [text["Validation.Required", text[$"Field.{field}"]]];
            return null;
        }

        if (trimmed.Length > maxLength)
        {
            errors[field] = [text["Validation.TooLong", text[$"Field.{field}"], maxLength, trimmed.Length]];
            return null;
        }

        return trimmed;
    }
}
