package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * Layout of the standard SBE message header that starts every SBE message Conduit sends, whatever its schema.
 * <pre>
 *   Ring record:
 *   +---------------+--------------------+---------------------+------------------+
 *   | record header | SBE message header | message block       | groups, var-data |
 *   |   (ring's)    |     (8 bytes)      | (blockLength bytes) |                  |
 *   +---------------+--------------------+---------------------+------------------+
 *                   ^ offset given to MessageHandler.onMessage and returned by Ring.tryClaim
 *
 *   SBE message header, little-endian:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Block Length (u16)     |       Template Id (u16)       |
 *   +-------------------------------+-------------------------------+
 *   |         Schema Id (u16)       |         Version (u16)         |
 *   +-------------------------------+-------------------------------+
 * </pre>
 * Every schema that the {@link SbeDispatcher} and {@link SbePublisher} handle must declare its
 * {@code messageHeader} composite with exactly these four {@code uint16} fields in this order, as SBE's own examples
 * do; that is what lets the dispatcher read the schema id before it knows the schema.
 * <p>
 * The header is exactly one little-endian {@code long}, and ring records start 8-byte aligned, so the hot paths move
 * it with a single aligned load or store: {@link #header(DirectBuffer, int)} and the {@code (long header)} accessors,
 * {@link #header(int, int, int, int)} and {@link #writeHeader(MutableDirectBuffer, int, long)}.
 */
public final class MessageHeaderDescriptor
{
    /** Offset of the block length: length of the message's fixed block that follows the header. */
    public static final int BLOCK_LENGTH_OFFSET;
    /** Offset of the template id: which message of the schema this is. */
    public static final int TEMPLATE_ID_OFFSET;
    /** Offset of the schema id. */
    public static final int SCHEMA_ID_OFFSET;
    /** Offset of the schema version the sender encoded with. */
    public static final int VERSION_OFFSET;
    /** Length of the header. */
    public static final int HEADER_LENGTH;
    /** Byte order of the header fields. */
    public static final ByteOrder BYTE_ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Whether the platform's own order is the header's: a word loaded or stored by address needs no swap then. */
    static final boolean NATIVE_ORDER = ByteOrder.nativeOrder() == BYTE_ORDER;

    static
    {
        int offset = 0;
        BLOCK_LENGTH_OFFSET = offset;
        offset += Short.BYTES;
        TEMPLATE_ID_OFFSET = offset;
        offset += Short.BYTES;
        SCHEMA_ID_OFFSET = offset;
        offset += Short.BYTES;
        VERSION_OFFSET = offset;
        offset += Short.BYTES;
        HEADER_LENGTH = offset;

        if (Long.BYTES != HEADER_LENGTH || ByteOrder.LITTLE_ENDIAN != BYTE_ORDER)
        {
            throw new IllegalStateException("SBE message header: the packed accessors need one little-endian long: " +
                "length=" + HEADER_LENGTH + " expected=" + Long.BYTES + " byteOrder=" + BYTE_ORDER);
        }
    }

    private MessageHeaderDescriptor()
    {
    }

    /**
     * @param buffer holding the header.
     * @param offset of the header.
     * @return the block length, {@code 0..65535}.
     */
    public static int blockLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + BLOCK_LENGTH_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @param buffer holding the header.
     * @param offset of the header.
     * @return the template id, {@code 0..65535}.
     */
    public static int templateId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + TEMPLATE_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @param buffer holding the header.
     * @param offset of the header.
     * @return the schema id, {@code 0..65535}.
     */
    public static int schemaId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + SCHEMA_ID_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * @param buffer holding the header.
     * @param offset of the header.
     * @return the schema version, {@code 0..65535}.
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + VERSION_OFFSET, BYTE_ORDER) & 0xFFFF;
    }

    /**
     * Load the whole header with one 8-byte load. The caller checks that {@code offset .. offset + HEADER_LENGTH} lies
     * inside the buffer and inside the record.
     *
     * @param buffer holding the header.
     * @param offset of the header.
     * @return the header, for {@link #blockLength(long)}, {@link #templateId(long)}, {@link #schemaId(long)} and
     * {@link #version(long)}.
     */
    public static long header(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset, BYTE_ORDER);
    }

    /**
     * Load the header at an address with no bounds check, for a caller that has checked it lies inside its memory.
     *
     * @param base    the array the address is relative to, or {@code null} for an absolute address.
     * @param address where the header starts.
     * @return the header as {@link #header(DirectBuffer, int)} loads it.
     */
    static long headerAt(final Object base, final long address)
    {
        final long word = UnsafeApi.getLong(base, address);
        return NATIVE_ORDER ? word : Long.reverseBytes(word);
    }

    /**
     * Store a packed header at an address with no bounds check, for a caller that has checked it lies inside its
     * memory: one 8-byte store, as {@link #writeHeader(MutableDirectBuffer, int, long)} makes.
     *
     * @param base    the array the address is relative to, or {@code null} for an absolute address.
     * @param address where the header starts.
     * @param header  the header, as {@link #header(int, int, int, int)} packs it.
     */
    static void putHeaderAt(final Object base, final long address, final long header)
    {
        UnsafeApi.putLong(base, address, NATIVE_ORDER ? header : Long.reverseBytes(header));
    }

    /**
     * @param header a header loaded by {@link #header(DirectBuffer, int)}.
     * @return the block length, {@code 0..65535}.
     */
    public static int blockLength(final long header)
    {
        return field(header, BLOCK_LENGTH_OFFSET);
    }

    /**
     * @param header a header loaded by {@link #header(DirectBuffer, int)}.
     * @return the template id, {@code 0..65535}.
     */
    public static int templateId(final long header)
    {
        return field(header, TEMPLATE_ID_OFFSET);
    }

    /**
     * @param header a header loaded by {@link #header(DirectBuffer, int)}.
     * @return the schema id, {@code 0..65535}.
     */
    public static int schemaId(final long header)
    {
        return field(header, SCHEMA_ID_OFFSET);
    }

    /**
     * @param header a header loaded by {@link #header(DirectBuffer, int)}.
     * @return the schema version, {@code 0..65535}.
     */
    public static int version(final long header)
    {
        return field(header, VERSION_OFFSET);
    }

    /**
     * Pack a header, to be stored with {@link #writeHeader(MutableDirectBuffer, int, long)}.
     *
     * @param blockLength length of the message block, {@code 0..65535}.
     * @param templateId  template id, {@code 0..65535}.
     * @param schemaId    schema id, {@code 0..65535}.
     * @param version     schema version, {@code 0..65535}.
     * @return the header as it lies in memory, read as a little-endian long.
     * @throws IllegalArgumentException if a field is outside {@code 0..65535}, where it would be cut to 16 bits.
     */
    public static long header(final int blockLength, final int templateId, final int schemaId, final int version)
    {
        if (0 != ((blockLength | templateId | schemaId | version) & ~0xFFFF))
        {
            throw new IllegalArgumentException("SBE header fields must be 0..65535: blockLength=" + blockLength +
                " templateId=" + templateId + " schemaId=" + schemaId + " version=" + version);
        }
        return packField(blockLength, BLOCK_LENGTH_OFFSET) | packField(templateId, TEMPLATE_ID_OFFSET) |
            packField(schemaId, SCHEMA_ID_OFFSET) | packField(version, VERSION_OFFSET);
    }

    /**
     * Store a packed header with one 8-byte store.
     *
     * @param buffer to write to.
     * @param offset of the header.
     * @param header from {@link #header(int, int, int, int)}.
     */
    public static void writeHeader(final MutableDirectBuffer buffer, final int offset, final long header)
    {
        buffer.putLong(offset, header, BYTE_ORDER);
    }

    /**
     * Write a header.
     *
     * @param buffer      to write to.
     * @param offset      of the header.
     * @param blockLength length of the message block.
     * @param templateId  template id.
     * @param schemaId    schema id.
     * @param version     schema version.
     * @throws IllegalArgumentException if a field is outside {@code 0..65535}.
     */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int templateId,
        final int schemaId,
        final int version)
    {
        writeHeader(buffer, offset, header(blockLength, templateId, schemaId, version));
    }

    private static int field(final long header, final int fieldOffset)
    {
        return (int)(header >>> (fieldOffset * Byte.SIZE)) & 0xFFFF;
    }

    private static long packField(final int value, final int fieldOffset)
    {
        return (value & 0xFFFFL) << (fieldOffset * Byte.SIZE);
    }
}
