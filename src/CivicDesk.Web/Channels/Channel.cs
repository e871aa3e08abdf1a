using CivicDesk.Web.Units;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace CivicDesk.Web.Channels;

public enum ConnectionState
{
    /// <summary>Registered only: no API access yet; numbers come from CSV import or manual entry.</summary>
    NotConnected = 0,
    Connected = 1,
    NeedsReconnect = 2,
}

/// <summary>An official channel of a unit on one platform (Kênh). Only units' official accounts, never persons'.</summary>
public sealed class Channel
{
    public const int DisplayNameMaxLength = 200;

    public int Id { get; set; }
    public int UnitId { get; set; }
    public Unit? Unit { get; set; }
    public Platform Platform { get; set; }
    public required string ExternalId { get; set; }
    public string? Handle { get; set; }
    public required string Url { get; set; }
    public required string DisplayName { get; set; }
    public ConnectionState ConnectionState { get; set; }

    /// <summary>Platform tokens, encrypted with Data Protection; null until the channel is connected.</summary>
    public string? EncryptedCredentials { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? ArchivedAt { get; set; }
    public bool IsDemo { get; set; }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.ToTable("channels");
        builder.Property(c => c.Platform).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.ConnectionState).HasConversion<string>().HasMaxLength(16);
        builder.Property(c => c.ExternalId).HasMaxLength(ChannelAddressParser.ExternalIdMaxLength);
        builder.Property(c => c.Handle).HasMaxLength(200);
        builder.Property(c => c.Url).HasMaxLength(ChannelAddressParser.MaxLength);
        builder.Property(c => c.DisplayName).HasMaxLength(Channel.DisplayNameMaxLength);
        builder.HasIndex(c => new { c.Platform, c.ExternalId }).IsUnique();
        builder.HasIndex(c => c.UnitId);
        builder.HasOne(c => c.Unit).WithMany().HasForeignKey(c => c.UnitId).OnDelete(DeleteBehavior.Restrict);
    }
}
