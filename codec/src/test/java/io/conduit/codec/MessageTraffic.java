package io.conduit.codec;

import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.ping.PongDecoder;
import io.conduit.codec.sbe.ping.PongEncoder;
import io.conduit.codec.sbe.rpc.ReplyDecoder;
import io.conduit.codec.sbe.rpc.ReplyEncoder;
import io.conduit.codec.sbe.rpc.RequestDecoder;
import io.conduit.codec.sbe.rpc.RequestEncoder;
import io.conduit.codec.sbe.sensor.HeartbeatDecoder;
import io.conduit.codec.sbe.sensor.HeartbeatEncoder;
import io.conduit.codec.sbe.sensor.Quality;
import io.conduit.codec.sbe.sensor.SensorBatchDecoder;
import io.conduit.codec.sbe.sensor.SensorBatchEncoder;
import io.conduit.codec.sbe.sensor.SensorReadingDecoder;
import io.conduit.codec.sbe.sensor.SensorReadingEncoder;
import io.conduit.codec.sbe.sensor.Unit;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every Conduit message in turn, for tests that run the publisher and dispatcher over a ring: {@link #send} encodes
 * message number {@code sequence} in place, with each field, group entry and var-data byte derived from the
 * sequence, and the dispatcher from {@link #dispatcher} checks each of them on receipt, and that the sequences arrive
 * one by one from 0, so a message lost, duplicated or reordered fails at once. Var-data and group lengths vary with
 * the sequence, up to the most that fits the ring's longest message.
 * <p>
 * Threading: one sending thread and one reading thread; {@link #received()} on the reading thread.
 */
final class MessageTraffic
{
    /** How many message kinds {@link #send} takes turns with: sequence {@code s} is kind {@code s % MESSAGE_KINDS}. */
    static final int MESSAGE_KINDS = 7;

    private static final int MAX_BATCH_READINGS = 50;
    private static final int PATTERN_STARTS = 251;
    private static final String[] REPLY_TO_NAMES = { "inbox", "", "client-7.replies" };
    private static final Unit[] UNITS = { Unit.NONE, Unit.CELSIUS, Unit.PASCAL, Unit.VOLT, Unit.HERTZ };
    private static final Quality[] QUALITIES = { Quality.GOOD, Quality.UNCERTAIN, Quality.BAD, Quality.STALE };

    private final int maxMessageLength;
    private final int maxBatchReadings;
    private final SensorReadingEncoder reading = new SensorReadingEncoder();
    private final SensorBatchEncoder batch = new SensorBatchEncoder();
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
    private final PingEncoder ping = new PingEncoder();
    private final PongEncoder pong = new PongEncoder();
    private final RequestEncoder request = new RequestEncoder();
    private final ReplyEncoder reply = new ReplyEncoder();
    // payload bytes: payload number s is the slice starting at s % PATTERN_STARTS, so each reads differently
    private final UnsafeBuffer pattern;
    private final byte[] payload;
    private final StringBuilder replyTo = new StringBuilder();
    private long expectedSequence;

    /**
     * @param maxMessageLength the ring's longest message: no message sent is longer.
     */
    MessageTraffic(final int maxMessageLength)
    {
        this.maxMessageLength = maxMessageLength;
        this.maxBatchReadings = Math.min(MAX_BATCH_READINGS, MessageLengths.maxSensorBatchReadings(maxMessageLength));
        this.pattern = new UnsafeBuffer(new byte[PATTERN_STARTS + maxMessageLength]);
        this.payload = new byte[maxMessageLength];
        for (int i = 0; i < pattern.capacity(); i++)
        {
            pattern.putByte(i, patternByte(i));
        }
    }

    /**
     * Claim, encode and commit message number {@code sequence}.
     *
     * @param publisher to send with.
     * @param sequence  the message's number; numbers must be sent in order from 0.
     * @return {@code true} if sent, {@code false} on back-pressure (nothing claimed).
     */
    boolean send(final SbePublisher publisher, final long sequence)
    {
        switch ((int)(sequence % MESSAGE_KINDS))
        {
            case 0:
                if (publisher.tryClaim(reading, MessageLengths.SENSOR_READING_LENGTH) < 0)
                {
                    return false;
                }
                reading.sensorId(sequence).timestampNs(3 * sequence + 1).value(sequence * 0.25)
                    .unit(unit(sequence)).quality(quality(sequence));
                break;
            case 1:
            {
                final int count = batchReadings(sequence);
                if (publisher.tryClaim(batch, MessageLengths.sensorBatchLength(count)) < 0)
                {
                    return false;
                }
                final SensorBatchEncoder.ReadingsEncoder readings =
                    batch.sourceId(~sequence).batchSequence(sequence).readingsCount(count);
                for (int i = 0; i < count; i++)
                {
                    readings.next().sensorId(100 * sequence + i).timestampNs(sequence + i).value(i * 0.5)
                        .unit(unit(i)).quality(quality(i));
                }
                break;
            }
            case 2:
                if (publisher.tryClaim(heartbeat, MessageLengths.HEARTBEAT_LENGTH) < 0)
                {
                    return false;
                }
                heartbeat.sourceId(~sequence).sequence(sequence).timestampNs(5 * sequence);
                break;
            case 3:
            {
                final int payloadLength = payloadLength(sequence, MessageLengths.pingLength(0));
                if (publisher.tryClaim(ping, MessageLengths.pingLength(payloadLength)) < 0)
                {
                    return false;
                }
                ping.sequence(sequence).sendTimeNs(2 * sequence + 1)
                    .putPayload(pattern, patternStart(sequence), payloadLength);
                break;
            }
            case 4:
            {
                final int payloadLength = payloadLength(sequence, MessageLengths.pongLength(0));
                if (publisher.tryClaim(pong, MessageLengths.pongLength(payloadLength)) < 0)
                {
                    return false;
                }
                pong.sequence(sequence).sendTimeNs(-sequence)
                    .putPayload(pattern, patternStart(sequence), payloadLength);
                break;
            }
            case 5:
            {
                final String name = replyToName(sequence);
                final int payloadLength = payloadLength(sequence, MessageLengths.requestLength(name.length(), 0));
                if (publisher.tryClaim(request, MessageLengths.requestLength(name.length(), payloadLength)) < 0)
                {
                    return false;
                }
                request.correlationId(sequence).replyTo(name)
                    .putPayload(pattern, patternStart(sequence), payloadLength);
                break;
            }
            default:
            {
                final int payloadLength = payloadLength(sequence, MessageLengths.replyLength(0));
                if (publisher.tryClaim(reply, MessageLengths.replyLength(payloadLength)) < 0)
                {
                    return false;
                }
                reply.correlationId(sequence).putPayload(pattern, patternStart(sequence), payloadLength);
                break;
            }
        }
        publisher.commit();
        return true;
    }

    /**
     * @param policy for messages without a handler.
     * @return a dispatcher with a handler for every Conduit message, each checking every field of the message.
     */
    SbeDispatcher dispatcher(final UnknownMessagePolicy policy)
    {
        return new SbeDispatcher(policy)
            .register(new SensorReadingDecoder(), this::onReading)
            .register(new SensorBatchDecoder(), this::onBatch)
            .register(new HeartbeatDecoder(), this::onHeartbeat)
            .register(new PingDecoder(), this::onPing)
            .register(new PongDecoder(), this::onPong)
            .register(new RequestDecoder(), this::onRequest)
            .register(new ReplyDecoder(), this::onReply);
    }

    /**
     * @return how many messages were received, each checked; the sequence the next one must carry.
     */
    long received()
    {
        return expectedSequence;
    }

    private void onReading(final SensorReadingDecoder decoder)
    {
        final long sequence = checkSequence(0, decoder.sensorId());
        assertEquals(3 * sequence + 1, decoder.timestampNs());
        assertEquals(sequence * 0.25, decoder.value());
        assertEquals(unit(sequence), decoder.unit());
        assertEquals(quality(sequence), decoder.quality());
    }

    private void onBatch(final SensorBatchDecoder decoder)
    {
        assertEquals(~decoder.batchSequence(), decoder.sourceId());
        final long sequence = checkSequence(1, decoder.batchSequence());
        final SensorBatchDecoder.ReadingsDecoder readings = decoder.readings();
        assertEquals(batchReadings(sequence), readings.count());
        int i = 0;
        for (final SensorBatchDecoder.ReadingsDecoder entry : readings)
        {
            assertEquals(100 * sequence + i, entry.sensorId());
            assertEquals(sequence + i, entry.timestampNs());
            assertEquals(i * 0.5, entry.value());
            assertEquals(unit(i), entry.unit());
            assertEquals(quality(i), entry.quality());
            i++;
        }
    }

    private void onHeartbeat(final HeartbeatDecoder decoder)
    {
        assertEquals(~decoder.sequence(), decoder.sourceId());
        final long sequence = checkSequence(2, decoder.sequence());
        assertEquals(5 * sequence, decoder.timestampNs());
    }

    private void onPing(final PingDecoder decoder)
    {
        final long sequence = checkSequence(3, decoder.sequence());
        assertEquals(2 * sequence + 1, decoder.sendTimeNs());
        checkPayload(sequence, payloadLength(sequence, MessageLengths.pingLength(0)),
            decoder.getPayload(payload, 0, payload.length));
    }

    private void onPong(final PongDecoder decoder)
    {
        final long sequence = checkSequence(4, decoder.sequence());
        assertEquals(-sequence, decoder.sendTimeNs());
        checkPayload(sequence, payloadLength(sequence, MessageLengths.pongLength(0)),
            decoder.getPayload(payload, 0, payload.length));
    }

    private void onRequest(final RequestDecoder decoder)
    {
        final long sequence = checkSequence(5, decoder.correlationId());
        replyTo.setLength(0);
        decoder.getReplyTo(replyTo);
        final String name = replyToName(sequence);
        assertEquals(name, replyTo.toString());
        checkPayload(sequence, payloadLength(sequence, MessageLengths.requestLength(name.length(), 0)),
            decoder.getPayload(payload, 0, payload.length));
    }

    private void onReply(final ReplyDecoder decoder)
    {
        final long sequence = checkSequence(6, decoder.correlationId());
        checkPayload(sequence, payloadLength(sequence, MessageLengths.replyLength(0)),
            decoder.getPayload(payload, 0, payload.length));
    }

    private long checkSequence(final int kind, final long sequence)
    {
        final long expected = expectedSequence;
        assertEquals(expected, sequence, "sequence");
        assertEquals(expected % MESSAGE_KINDS, kind, "message kind of sequence " + expected);
        expectedSequence = expected + 1;
        return sequence;
    }

    private void checkPayload(final long sequence, final int expectedLength, final int length)
    {
        assertEquals(expectedLength, length, "payload length of sequence " + sequence);
        final int start = patternStart(sequence);
        for (int i = 0; i < length; i++)
        {
            if (patternByte(start + i) != payload[i])
            {
                assertEquals(patternByte(start + i), payload[i], "payload byte " + i + " of sequence " + sequence);
            }
        }
    }

    // from empty up to the most that fits, given the encoded length of the message with no payload
    private int payloadLength(final long sequence, final int emptyLength)
    {
        return (int)(sequence * 7 % (maxMessageLength - emptyLength + 1));
    }

    private int batchReadings(final long sequence)
    {
        return (int)(sequence % (maxBatchReadings + 1));
    }

    private static int patternStart(final long sequence)
    {
        return (int)(sequence % PATTERN_STARTS);
    }

    private static byte patternByte(final int index)
    {
        return (byte)(index * 13 + 1);
    }

    private static String replyToName(final long sequence)
    {
        return REPLY_TO_NAMES[(int)(sequence % REPLY_TO_NAMES.length)];
    }

    private static Unit unit(final long sequence)
    {
        return UNITS[(int)(sequence % UNITS.length)];
    }

    private static Quality quality(final long sequence)
    {
        return QUALITIES[(int)(sequence % QUALITIES.length)];
    }
}
