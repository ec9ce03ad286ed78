package io.conduit.ring;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.zip.CRC32C;

/**
 * A self-checking test message: who sent it, its sequence, a payload whose length and bytes follow from both, and a
 * checksum over the rest of the body, so that loss, duplication, reordering and torn or stale bytes are all visible.
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                          Sequence                             |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                         Producer Id                           |
 *   +---------------------------------------------------------------+
 *   |                       Payload Length                          |
 *   +---------------------------------------------------------------+
 *   |            Checksum (CRC32C of bytes 0..15 and payload)       |
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                  Payload (0..64 bytes)                       ...
 *   +---------------------------------------------------------------+
 * </pre>
 * Threading: an instance holds scratch space; use one per thread.
 */
final class SequencedMessage
{
    static final int TYPE_ID = 7;
    static final int SEQUENCE_OFFSET = 0;
    static final int PRODUCER_ID_OFFSET = SEQUENCE_OFFSET + Long.BYTES;
    static final int PAYLOAD_LENGTH_OFFSET = PRODUCER_ID_OFFSET + Integer.BYTES;
    static final int CHECKSUM_OFFSET = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;
    static final int PAYLOAD_OFFSET = CHECKSUM_OFFSET + Long.BYTES;
    static final int MAX_PAYLOAD_LENGTH = 64;
    static final int MAX_BODY_LENGTH = PAYLOAD_OFFSET + MAX_PAYLOAD_LENGTH;

    private final byte[] scratch = new byte[MAX_BODY_LENGTH];
    private final CRC32C crc = new CRC32C();

    /**
     * @param producerId sender.
     * @param sequence sequence of the message within its sender's stream.
     * @return payload length in [0, 64], varying with both.
     */
    static int payloadLength(final int producerId, final long sequence)
    {
        return (int)((sequence * 7 + producerId) % (MAX_PAYLOAD_LENGTH + 1));
    }

    /**
     * @param producerId sender.
     * @param sequence sequence.
     * @return body length of that message.
     */
    static int bodyLength(final int producerId, final long sequence)
    {
        return PAYLOAD_OFFSET + payloadLength(producerId, sequence);
    }

    private static byte payloadByte(final int producerId, final long sequence, final int i)
    {
        return (byte)(sequence * 31 + producerId * 17 + i);
    }

    /**
     * Write a whole message at {@code offset}; the buffer must have {@link #bodyLength} bytes there.
     */
    void encode(final MutableDirectBuffer buffer, final int offset, final int producerId, final long sequence)
    {
        final int payloadLength = payloadLength(producerId, sequence);
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + PRODUCER_ID_OFFSET, producerId);
        buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength);
        for (int i = 0; i < payloadLength; i++)
        {
            buffer.putByte(offset + PAYLOAD_OFFSET + i, payloadByte(producerId, sequence, i));
        }
        buffer.putLong(offset + CHECKSUM_OFFSET, checksum(buffer, offset, payloadLength));
    }

    /**
     * Write only the first fields of a message, as a producer that dies half way through would.
     */
    static void encodePartially(
        final MutableDirectBuffer buffer, final int offset, final int producerId, final long sequence)
    {
        buffer.putLong(offset + SEQUENCE_OFFSET, sequence);
        buffer.putInt(offset + PRODUCER_ID_OFFSET, producerId);
    }

    /**
     * Check a received message.
     *
     * @return null if the message is whole, else what is wrong with it.
     */
    String verify(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < PAYLOAD_OFFSET || length > MAX_BODY_LENGTH)
        {
            return "body length=" + length + " expected in [" + PAYLOAD_OFFSET + ", " + MAX_BODY_LENGTH + "]";
        }
        final long sequence = buffer.getLong(offset + SEQUENCE_OFFSET);
        final int producerId = buffer.getInt(offset + PRODUCER_ID_OFFSET);
        final int payloadLength = buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET);
        if (producerId < 0 || sequence < 0 || payloadLength != payloadLength(producerId, sequence) ||
            length != PAYLOAD_OFFSET + payloadLength)
        {
            return "producerId=" + producerId + " sequence=" + sequence + " payloadLength=" + payloadLength +
                " length=" + length + " do not match";
        }
        final long checksum = buffer.getLong(offset + CHECKSUM_OFFSET);
        final long expected = checksum(buffer, offset, payloadLength);
        if (checksum != expected)
        {
            return "producerId=" + producerId + " sequence=" + sequence + " checksum=" + checksum + " expected=" +
                expected;
        }
        for (int i = 0; i < payloadLength; i++)
        {
            if (buffer.getByte(offset + PAYLOAD_OFFSET + i) != payloadByte(producerId, sequence, i))
            {
                return "producerId=" + producerId + " sequence=" + sequence + " payload byte " + i + " wrong";
            }
        }
        return null;
    }

    static long sequence(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQUENCE_OFFSET);
    }

    static int producerId(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + PRODUCER_ID_OFFSET);
    }

    private long checksum(final DirectBuffer buffer, final int offset, final int payloadLength)
    {
        final byte[] scratch = this.scratch;
        buffer.getBytes(offset, scratch, 0, CHECKSUM_OFFSET);
        buffer.getBytes(offset + PAYLOAD_OFFSET, scratch, CHECKSUM_OFFSET, payloadLength);
        crc.reset();
        crc.update(scratch, 0, CHECKSUM_OFFSET + payloadLength);
        return crc.getValue();
    }
}
