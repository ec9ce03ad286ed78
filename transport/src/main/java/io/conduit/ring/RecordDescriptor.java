package io.conduit.ring;

/**
 * Layout of one record in a ring: an 8-byte header, then the body, padded to {@link #ALIGNMENT}: every record
 * starts on a 64-byte cache line of its own.
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |S|                        Frame Length                         |
 *   +-+-------------------------------------------------------------+
 *   |                           Type Id                             |
 *   +---------------------------------------------------------------+
 *   |                       Body                                   ...
 *  ...                                                              |
 *   +---------------------------------------------------------------+
 * </pre>
 * The frame length counts the header and the body, not the alignment padding. Since records start on lines of their
 * own, a small record never straddles two lines, a reader misses on one line per message, and (SPSC) the line a reader
 * polls is written by the producer once per message (body, then header). Only a line's header slot is cleared
 * before reuse, so a claim's bytes hold what an earlier lap left there until the producer writes them: write every
 * byte claimed. The header's value says the record's state:
 * <ul>
 *     <li>{@code 0}: nothing written here yet in this lap, or (SPSC) the producer's latest claim, whose extent is
 *     {@code [here, tail)}; the reader stops.</li>
 *     <li>negative: claimed, not committed (MPSC claims, and SPSC claims still open when a later one is made).
 *     Whether the claimer is dead is told by the producer pid (SPSC) or the producer slots (MPSC).</li>
 *     <li>positive: committed; the type id field holds the type id, or {@link #PADDING_TYPE_ID} for a padding
 *     record (written at the wrap point, on abort, and over a skipped claim).</li>
 * </ul>
 * The header is read and written as one little-endian 64-bit word: the frame length in the low half, the type id in
 * the high half, so a claim, a commit and a skip are each a single store or compare-and-set.
 */
public final class RecordDescriptor
{
    /** Length of the record header. */
    public static final int HEADER_LENGTH = 8;
    /**
     * Records start at multiples of this: a cache line. A record under 56 bytes of body takes a whole line, as in
     * layout version 1, which got there with 8-byte alignment and a padding record after each record; aligning the
     * records themselves saves the producer and the reader that padding record per message.
     */
    public static final int ALIGNMENT = 64;
    /** Offset of the frame length within the header. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the type id within the header. */
    public static final int TYPE_ID_OFFSET = 4;
    /** Type id of a padding record, skipped by readers. */
    public static final int PADDING_TYPE_ID = -1;

    private RecordDescriptor()
    {
    }

    /**
     * @param frameLength header plus body length.
     * @return length the record takes in the ring.
     */
    public static int alignedLength(final int frameLength)
    {
        return (frameLength + (ALIGNMENT - 1)) & ~(ALIGNMENT - 1);
    }

    /**
     * @param frameLength frame length (may be negative for a claim).
     * @param typeId type id or claimer pid.
     * @return the header as one 64-bit word.
     */
    public static long makeHeader(final int frameLength, final int typeId)
    {
        return ((long)typeId << 32) | (frameLength & 0xFFFF_FFFFL);
    }

    /**
     * @param header a header word.
     * @return its frame length.
     */
    public static int frameLength(final long header)
    {
        return (int)header;
    }

    /**
     * @param header a header word.
     * @return its type id (or claimer pid).
     */
    public static int typeId(final long header)
    {
        return (int)(header >>> 32);
    }

    /**
     * @param offset offset of the record header.
     * @return offset of the body.
     */
    public static int bodyOffset(final int offset)
    {
        return offset + HEADER_LENGTH;
    }
}
