package io.conduit.file;

import io.conduit.ring.RingKind;

import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Options for creating a channel file, or the expectations checked when opening one. Immutable; each setter
 * ({@code kind(..)}, {@code capacity(..)}, ...) returns a copy.
 * <p>
 * When creating, unset fields take their defaults. When opening an existing file, only the fields that were set
 * explicitly are checked against the file; everything else is adopted from the file's header.
 */
public final class ChannelOptions
{
    /** Default ring capacity: 1 MiB. */
    public static final int DEFAULT_CAPACITY = 1 << 20;
    /** Default permissions of a new channel file: owner read and write only (0600). */
    public static final Set<PosixFilePermission> DEFAULT_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    /** Default time after which a claim that is never committed by a live producer is skipped. */
    public static final long DEFAULT_STUCK_CLAIM_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /**
     * Longest stuck claim timeout: a day. A claim of a live producer that never commits is skipped within a day at
     * worst, so no timeout, set or scribbled, keeps a consumer waiting on it for good.
     */
    public static final long MAX_STUCK_CLAIM_TIMEOUT_NS = TimeUnit.DAYS.toNanos(1);

    private static final ChannelOptions DEFAULTS =
        new ChannelOptions(null, 0, -1, null, -1);

    private final RingKind kind;
    private final int capacity;
    private final int maxMessageLength;
    private final Set<PosixFilePermission> permissions;
    private final long stuckClaimTimeoutNs;

    private ChannelOptions(
        final RingKind kind,
        final int capacity,
        final int maxMessageLength,
        final Set<PosixFilePermission> permissions,
        final long stuckClaimTimeoutNs)
    {
        this.kind = kind;
        this.capacity = capacity;
        this.maxMessageLength = maxMessageLength;
        this.permissions = permissions;
        this.stuckClaimTimeoutNs = stuckClaimTimeoutNs;
    }

    /**
     * @return options with nothing set: defaults for creation, no expectations when opening.
     */
    public static ChannelOptions defaults()
    {
        return DEFAULTS;
    }

    /**
     * @param kind ring kind.
     * @return a copy with the ring kind set.
     */
    public ChannelOptions kind(final RingKind kind)
    {
        return new ChannelOptions(kind, capacity, maxMessageLength, permissions, stuckClaimTimeoutNs);
    }

    /**
     * @param capacity ring capacity in bytes, a power of two.
     * @return a copy with the capacity set.
     */
    public ChannelOptions capacity(final int capacity)
    {
        ChannelFileDescriptor.checkCapacity(capacity);
        return new ChannelOptions(kind, capacity, maxMessageLength, permissions, stuckClaimTimeoutNs);
    }

    /**
     * @param maxMessageLength longest message body in bytes, at most {@code capacity / 8 - 8}.
     * @return a copy with the max message length set.
     */
    public ChannelOptions maxMessageLength(final int maxMessageLength)
    {
        if (maxMessageLength < 0)
        {
            throw new IllegalArgumentException("maxMessageLength=" + maxMessageLength + " expected >= 0");
        }
        return new ChannelOptions(kind, capacity, maxMessageLength, permissions, stuckClaimTimeoutNs);
    }

    /**
     * @param permissions POSIX permissions of a new file, for example {@code "rw-rw----"}: the owner must be able to
     *                    read and write it, since the creating process builds it and every process maps it writable.
     * @return a copy with the permissions set.
     * @throws IllegalArgumentException if the string is not nine {@code rwx-} characters, or leaves out owner read or
     *                                  write.
     */
    public ChannelOptions permissions(final String permissions)
    {
        final Set<PosixFilePermission> parsed;
        try
        {
            parsed = PosixFilePermissions.fromString(permissions);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("permissions=\"" + permissions +
                "\" expected nine of r, w, x or - as ls prints them, for example \"rw-rw----\"", ex);
        }
        if (!parsed.contains(PosixFilePermission.OWNER_READ) || !parsed.contains(PosixFilePermission.OWNER_WRITE))
        {
            throw new IllegalArgumentException("permissions=\"" + permissions +
                "\" expected owner read and write (rw-......): the creator builds the file and every opener maps it " +
                "writable");
        }
        return new ChannelOptions(kind, capacity, maxMessageLength, parsed, stuckClaimTimeoutNs);
    }

    /**
     * @param timeoutNs time after which the consumer skips a claim whose producer is alive but never commits it, in
     * {@code (0, MAX_STUCK_CLAIM_TIMEOUT_NS]}. A claim whose producer is known dead is skipped at once.
     * @return a copy with the timeout set.
     */
    public ChannelOptions stuckClaimTimeoutNs(final long timeoutNs)
    {
        if (timeoutNs <= 0 || timeoutNs > MAX_STUCK_CLAIM_TIMEOUT_NS)
        {
            throw new IllegalArgumentException("stuckClaimTimeoutNs=" + timeoutNs + " expected > 0 and at most " +
                MAX_STUCK_CLAIM_TIMEOUT_NS + " (a day)");
        }
        return new ChannelOptions(kind, capacity, maxMessageLength, permissions, timeoutNs);
    }

    /**
     * @return the ring kind, or {@code null} if unset.
     */
    public RingKind kind()
    {
        return kind;
    }

    /**
     * @return the capacity, or 0 if unset.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return the max message length, or -1 if unset.
     */
    public int maxMessageLength()
    {
        return maxMessageLength;
    }

    /**
     * @return the permissions, or {@code null} if unset.
     */
    public Set<PosixFilePermission> permissions()
    {
        return permissions;
    }

    /**
     * @return the stuck claim timeout, or -1 if unset.
     */
    public long stuckClaimTimeoutNs()
    {
        return stuckClaimTimeoutNs;
    }

    RingKind kindOrDefault()
    {
        return null == kind ? RingKind.SPSC : kind;
    }

    int capacityOrDefault()
    {
        return 0 == capacity ? DEFAULT_CAPACITY : capacity;
    }

    int maxMessageLengthOrDefault()
    {
        return -1 == maxMessageLength ?
            ChannelFileDescriptor.defaultMaxMessageLength(capacityOrDefault()) : maxMessageLength;
    }

    Set<PosixFilePermission> permissionsOrDefault()
    {
        return null == permissions ? DEFAULT_PERMISSIONS : permissions;
    }

    long stuckClaimTimeoutNsOrDefault()
    {
        return -1 == stuckClaimTimeoutNs ? DEFAULT_STUCK_CLAIM_TIMEOUT_NS : stuckClaimTimeoutNs;
    }

    /**
     * {@inheritDoc}
     */
    @Override
    public String toString()
    {
        return "ChannelOptions{kind=" + kind + ", capacity=" + capacity + ", maxMessageLength=" + maxMessageLength +
            ", permissions=" + (null == permissions ? null : PosixFilePermissions.toString(permissions)) +
            ", stuckClaimTimeoutNs=" + stuckClaimTimeoutNs + '}';
    }
}
