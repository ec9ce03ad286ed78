package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.ping.PongEncoder;
import io.conduit.codec.sbe.rpc.ReplyEncoder;
import io.conduit.codec.sbe.rpc.RequestEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.SensorBatchEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import org.agrona.sbe.MessageFlyweight;

import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;

/**
 * Encoded lengths of Conduit's messages, SBE header included: the {@code length} to give
 * {@link SbePublisher#tryClaim}. Computed from the generated codecs' constants, so they follow the schemas.
 */
public final class MessageLengths
{
    /** Encoded length of a SensorReading. */
    public static final int SENSOR_READING_LENGTH = HEADER_LENGTH + SensorReadingEncoder.BLOCK_LENGTH;
    /** Encoded length of a Heartbeat. */
    public static final int HEARTBEAT_LENGTH = HEADER_LENGTH + HeartbeatEncoder.BLOCK_LENGTH;
    /** Most readings one SensorBatch can hold (the group's count is a uint16, 65535 being its null value). */
    public static final int MAX_SENSOR_BATCH_READINGS = SensorBatchEncoder.ReadingsEncoder.countMaxValue();
    /** Longest mailbox name a Request can carry, in bytes (US-ASCII). */
    public static final int MAX_REPLY_TO_LENGTH = 65534;
    /** Longest var-data payload of a Ping, Pong, Request or Reply. */
    public static final int MAX_PAYLOAD_LENGTH = 1 << 30;

    private static final int SENSOR_BATCH_EMPTY_LENGTH =
        HEADER_LENGTH + SensorBatchEncoder.BLOCK_LENGTH + SensorBatchEncoder.ReadingsEncoder.sbeHeaderSize();
    private static final int SENSOR_BATCH_ENTRY_LENGTH = SensorBatchEncoder.ReadingsEncoder.sbeBlockLength();
    private static final int PING_EMPTY_LENGTH =
        HEADER_LENGTH + PingEncoder.BLOCK_LENGTH + PingEncoder.payloadHeaderLength();
    private static final int PONG_EMPTY_LENGTH =
        HEADER_LENGTH + PongEncoder.BLOCK_LENGTH + PongEncoder.payloadHeaderLength();
    private static final int REQUEST_EMPTY_LENGTH = HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH +
        RequestEncoder.replyToHeaderLength() + RequestEncoder.payloadHeaderLength();
    private static final int REPLY_EMPTY_LENGTH =
        HEADER_LENGTH + ReplyEncoder.BLOCK_LENGTH + ReplyEncoder.payloadHeaderLength();

    private MessageLengths()
    {
    }

    /**
     * @param flyweight an encoder or decoder of a message without groups or var-data.
     * @return its encoded length: SBE header plus block.
     */
    public static int fixedLength(final MessageFlyweight flyweight)
    {
        return HEADER_LENGTH + flyweight.sbeBlockLength();
    }

    /**
     * @param readingCount number of readings, {@code 0..MAX_SENSOR_BATCH_READINGS}.
     * @return encoded length of a SensorBatch holding that many readings.
     */
    public static int sensorBatchLength(final int readingCount)
    {
        checkRange("readingCount", readingCount, MAX_SENSOR_BATCH_READINGS);
        return SENSOR_BATCH_EMPTY_LENGTH + readingCount * SENSOR_BATCH_ENTRY_LENGTH;
    }

    /**
     * @param maxMessageLength longest message a ring takes ({@code Ring.maxMessageLength()}).
     * @return most readings a SensorBatch that fits can hold, or -1 if not even an empty batch fits.
     */
    public static int maxSensorBatchReadings(final int maxMessageLength)
    {
        if (maxMessageLength < SENSOR_BATCH_EMPTY_LENGTH)
        {
            return -1;
        }
        return Math.min(MAX_SENSOR_BATCH_READINGS,
            (maxMessageLength - SENSOR_BATCH_EMPTY_LENGTH) / SENSOR_BATCH_ENTRY_LENGTH);
    }

    /**
     * @param payloadLength payload length, {@code 0..MAX_PAYLOAD_LENGTH}.
     * @return encoded length of a Ping with that payload.
     */
    public static int pingLength(final int payloadLength)
    {
        checkRange("payloadLength", payloadLength, MAX_PAYLOAD_LENGTH);
        return PING_EMPTY_LENGTH + payloadLength;
    }

    /**
     * The payload that makes a Ping exactly {@code messageLength} long, e.g. 4 for 32 B, 228 for 256 B, 4068 for
     * 4 KiB.
     *
     * @param messageLength wanted encoded length of the Ping, at least {@code pingLength(0)}.
     * @return payload length to put in the Ping.
     */
    public static int pingPayloadLength(final int messageLength)
    {
        if (messageLength < PING_EMPTY_LENGTH || messageLength - PING_EMPTY_LENGTH > MAX_PAYLOAD_LENGTH)
        {
            throw new IllegalArgumentException("a Ping is " + PING_EMPTY_LENGTH + ".." +
                (PING_EMPTY_LENGTH + MAX_PAYLOAD_LENGTH) + " bytes long: messageLength=" + messageLength);
        }
        return messageLength - PING_EMPTY_LENGTH;
    }

    /**
     * @param payloadLength payload length, {@code 0..MAX_PAYLOAD_LENGTH}.
     * @return encoded length of a Pong with that payload (the same as the Ping it echoes).
     */
    public static int pongLength(final int payloadLength)
    {
        checkRange("payloadLength", payloadLength, MAX_PAYLOAD_LENGTH);
        return PONG_EMPTY_LENGTH + payloadLength;
    }

    /**
     * @param replyToLength length of the reply-to mailbox name in bytes, {@code 0..MAX_REPLY_TO_LENGTH}.
     * @param payloadLength payload length, {@code 0..MAX_PAYLOAD_LENGTH}.
     * @return encoded length of a Request.
     */
    public static int requestLength(final int replyToLength, final int payloadLength)
    {
        checkRange("replyToLength", replyToLength, MAX_REPLY_TO_LENGTH);
        checkRange("payloadLength", payloadLength, MAX_PAYLOAD_LENGTH);
        return REQUEST_EMPTY_LENGTH + replyToLength + payloadLength;
    }

    /**
     * @param payloadLength payload length, {@code 0..MAX_PAYLOAD_LENGTH}.
     * @return encoded length of a Reply.
     */
    public static int replyLength(final int payloadLength)
    {
        checkRange("payloadLength", payloadLength, MAX_PAYLOAD_LENGTH);
        return REPLY_EMPTY_LENGTH + payloadLength;
    }

    private static void checkRange(final String name, final int value, final int max)
    {
        if (value < 0 || value > max)
        {
            throw new IllegalArgumentException(name + " must be 0.." + max + ": " + name + "=" + value);
        }
    }
}
