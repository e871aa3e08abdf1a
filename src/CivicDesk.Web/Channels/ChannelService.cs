using CivicDesk.Web.Audit;
using CivicDesk.Web.Data;
using CivicDesk.Web.Localization;
using CivicDesk.Web.Permissions;
using CivicDesk.Web.Shared;
using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;

namespace CivicDesk.Web.Channels;

/// <summary>The channel registry: register, list, edit, archive and restore units' official channels.</summary>
public sealed class ChannelService(AppDbContext db, UnitAccess access, AuditLog audit, Text text, TimeProvider time)
{
    public const string UrlField = "url";
    public const string UnitField = "unitId";
    public const string PlatformField = "platform";
    public const string DisplayNameField = "displayName";

    /// <summary>The channels visible to the user, filtered by unit (with its sub-units) and platform.</summary>
    public async Task<IQueryable<Channel>> QueryAsync(int? unitId, Platform? platform, bool includeArchived, CancellationToken ct = default)
    {
        var visibleUnits = await access.UnitsAsync(Permission.View, ct);
        var query = db.Channels.AsNoTracking().Where(c => visibleUnits.Select(u => u.Id).Contains(c.UnitId));
        if (unitId is { } id)
        {
            var path = await db.Units.Where(u => u.Id == id).Select(u => u.Path).SingleOrDefaultAsync(ct) ?? "/none/";
            query = query.Where(c => c.Unit!.Path.StartsWith(path));
        }

        if (platform is { } p)
        {
            query = query.Where(c => c.Platform == p);
        }

        if (!includeArchived)
        {
            query = query.Where(c => c.ArchivedAt == null);
        }

        return query;
    }

    public async Task<Channel?> FindAsync(int id, CancellationToken ct = default)
    {
        var channel = await db.Channels.Include(c => c.Unit).SingleOrDefaultAsync(c => c.Id == id, ct);
        return channel is not null && await access.CanAsync(channel.Unit!, Permission.View, ct) ? channel : null;
    }

    public async Task<Outcome<Channel>> RegisterAsync(int unitId, string? url, Platform? platform, string? displayName, bool isDemo = false, CancellationToken ct = default)
    {
        var (unit, check) = await access.LoadAsync(unitId, Permission.ManageChannels, ct);
        if (check == UnitCheck.Forbidden)
        {
            return Outcome<Channel>.Forbidden(text["Channel.CannotManage"]);
        }

        if (unit is null || unit.IsArchived)
        {
            return Outcome<Channel>.Invalid(UnitField, text[unit is null ? "Channel.UnitNotFound" : "Channel.UnitArchived"]);
        }

        var parsed = ChannelAddressParser.Parse(url, platform);
        if (parsed.Address is not { } address)
        {
            return Outcome<Channel>.Invalid(UrlField, text[parsed.ErrorKey!]);
        }

        var errors = new Dictionary<string, string[]>();
        var name = string.IsNullOrWhiteSpace(displayName)
            ? DefaultName(address)
            : Validate.Text(displayName, Channel.DisplayNameMaxLength, DisplayNameField, text, errors);
        if (errors.Count > 0)
        {
            return Outcome<Channel>.Invalid(errors);
        }

        if (await DuplicateMessageAsync(address, ct) is { } duplicate)
        {
            return Outcome<Channel>.Conflict(UrlField, duplicate);
        }

        var channel = new Channel
        {
            UnitId = unit.Id,
            Platform = address.Platform,
            ExternalId = address.ExternalId,
            Handle = address.Handle,
            Url = address.Url,
            DisplayName = name!,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            IsDemo = isDemo,
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync(ct);
        audit.Add(AuditActions.ChannelCreated, unit.Id, "channel", channel.Id,
            ("name", channel.DisplayName), ("platform", channel.Platform.Code()), ("url", channel.Url), ("unit", unit.Name));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Registered by someone else between our check and our insert: the unique index decides.
            db.ChangeTracker.Clear();
            if (await DuplicateMessageAsync(address, ct) is { } raced)
            {
                return Outcome<Channel>.Conflict(UrlField, raced);
            }

            throw;
        }

        channel.Unit = unit;
        return Outcome<Channel>.Ok(channel);
    }

    /// <summary>Renames a channel or hands it to another unit the user manages.</summary>
    public async Task<Outcome<Channel>> UpdateAsync(int id, string? displayName, int? unitId, CancellationToken ct = default)
    {
        var (channel, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null)
        {
            return failure;
        }

        var errors = new Dictionary<string, string[]>();
        var name = displayName is null ? channel!.DisplayName : Validate.Text(displayName, Channel.DisplayNameMaxLength, DisplayNameField, text, errors);
        Unit? newUnit = null;
        if (unitId is { } uid && uid != channel!.UnitId)
        {
            (newUnit, var check) = await access.LoadAsync(uid, Permission.ManageChannels, ct);
            if (check == UnitCheck.Forbidden)
            {
                return Outcome<Channel>.Forbidden(text["Channel.CannotManage"]);
            }

            if (newUnit is null || newUnit.IsArchived)
            {
                errors[UnitField] = [text[newUnit is null ? "Channel.UnitNotFound" : "Channel.UnitArchived"]];
            }
        }

        if (errors.Count > 0)
        {
            return Outcome<Channel>.Invalid(errors);
        }

        if (name != channel!.DisplayName)
        {
            audit.Add(AuditActions.ChannelUpdated, channel.UnitId, "channel", channel.Id, ("name", channel.DisplayName), ("field", "displayName"), ("to", name));
            channel.DisplayName = name!;
        }

        if (newUnit is not null)
        {
            audit.Add(AuditActions.ChannelUpdated, newUnit.Id, "channel", channel.Id, ("name", channel.DisplayName), ("field", "unit"), ("to", newUnit.Name));
            channel.UnitId = newUnit.Id;
            channel.Unit = newUnit;
        }

        await db.SaveChangesAsync(ct);
        return Outcome<Channel>.Ok(channel);
    }

    public async Task<Outcome<Channel>> ArchiveAsync(int id, CancellationToken ct = default) => await SetArchivedAsync(id, archived: true, ct);

    public async Task<Outcome<Channel>> RestoreAsync(int id, CancellationToken ct = default) => await SetArchivedAsync(id, archived: false, ct);

    private async Task<Outcome<Channel>> SetArchivedAsync(int id, bool archived, CancellationToken ct)
    {
        var (channel, failure) = await LoadForChangeAsync(id, ct);
        if (failure is not null)
        {
            return failure;
        }

        if (channel!.ArchivedAt is not null == archived)
        {
            return Outcome<Channel>.Ok(channel);
        }

        if (!archived && channel.Unit!.IsArchived)
        {
            return Outcome<Channel>.Invalid(UnitField, text["Channel.UnitArchived"]);
        }

        channel.ArchivedAt = archived ? time.GetUtcNow().UtcDateTime : null;
        audit.Add(archived ? AuditActions.ChannelArchived : AuditActions.ChannelRestored, channel.UnitId, "channel", channel.Id,
            ("name", channel.DisplayName), ("platform", channel.Platform.Code()));
        await db.SaveChangesAsync(ct);
        return Outcome<Channel>.Ok(channel);
    }

    private async Task<(Channel? Channel, Outcome<Channel>? Failure)> LoadForChangeAsync(int id, CancellationToken ct)
    {
        var channel = await FindAsync(id, ct);
        if (channel is null)
        {
            return (null, Outcome<Channel>.NotFound());
        }

        return await access.CanAsync(channel.Unit!, Permission.ManageChannels, ct)
            ? (channel, null)
            : (null, Outcome<Channel>.Forbidden(text["Channel.CannotManage"]));
    }

    /// <summary>The handle or key as a first name, cut to fit: a website's key (host and path) may be longer.</summary>
    private static string DefaultName(ChannelAddress address)
    {
        var name = address.Handle ?? address.ExternalId;
        return name.Length <= Channel.DisplayNameMaxLength ? name : name[..(Channel.DisplayNameMaxLength - 1)] + "…";
    }

    /// <summary>The message for an address registered already, naming the unit only when the user may see it.</summary>
    private async Task<string?> DuplicateMessageAsync(ChannelAddress address, CancellationToken ct)
    {
        var existing = await db.Channels.AsNoTracking().Include(c => c.Unit)
            .Where(c => c.Platform == address.Platform && c.ExternalId == address.ExternalId)
            .SingleOrDefaultAsync(ct);
        if (existing is null)
        {
            return null;
        }

        var visible = await access.CanAsync(existing.Unit!, Permission.View, ct);
        return (visible, existing.ArchivedAt is null) switch
        {
            (true, true) => text["Channel.Duplicate", existing.Unit!.Name],
            (true, false) => text["Channel.DuplicateArchived", existing.Unit!.Name],
            _ => text["Channel.DuplicateElsewhere"],
        };
    }
}
