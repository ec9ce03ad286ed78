package io.conduit.ring;

/**
 * The kind of ring a channel file holds; stored in the file header as {@link #code()}.
 */
public enum RingKind
{
    /** One producer, one consumer. */
    SPSC(1),
    /** Many producers (threads or processes), one consumer. */
    MPSC(2);

    private final int code;

    RingKind(final int code)
    {
        this.code = code;
    }

    /**
     * @return the value stored in the channel file header.
     */
    public int code()
    {
        return code;
    }

    /**
     * Find the kind for a header value.
     *
     * @param code value read from a channel file header.
     * @return the kind, or {@code null} if the value names no kind.
     */
    public static RingKind fromCode(final int code)
    {
        for (final RingKind kind : values())
        {
            if (kind.code == code)
            {
                return kind;
            }
        }
        return null;
    }
}
