package io.conduit.codec;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

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
     * Write a header.
     *
     * @param buffer      to write to.
     * @param offset      of the header.
     * @param blockLength length of the message block.
     * @param templateId  template id.
     * @param schemaId    schema id.
     * @param version     schema version.
     */
    public static void write(
        final MutableDirectBuffer buffer,
        final int offset,
        final int blockLength,
        final int templateId,
        final int schemaId,
        final int version)
    {
        buffer.putShort(offset + BLOCK_LENGTH_OFFSET, (short)blockLength, BYTE_ORDER);
        buffer.putShort(offset + TEMPLATE_ID_OFFSET, (short)templateId, BYTE_ORDER);
        buffer.putShort(offset + SCHEMA_ID_OFFSET, (short)schemaId, BYTE_ORDER);
        buffer.putShort(offset + VERSION_OFFSET, (short)version, BYTE_ORDER);
    }
}
