package io.conduit.codec;

import io.conduit.codec.sbe.evolution.v0.QuoteEncoder;
import io.conduit.codec.sbe.ping.PingDecoder;
import io.conduit.codec.sbe.ping.PingEncoder;
import io.conduit.codec.sbe.ping.PongDecoder;
import io.conduit.codec.sbe.rpc.ReplyDecoder;
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
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.sbe.MessageEncoderFlyweight;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.conduit.codec.MessageHeaderDescriptor.BYTE_ORDER;
import static io.conduit.codec.MessageHeaderDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rejections: unknown schemas and templates under both policies, and truncated, forged and random records, which must
 * end as a {@link RejectedMessageException} or a counted drop, never as a read outside the record, both for messages
 * decoded straight from the buffer (no groups or var-data) and for those decoded through the checked view. This class
 * also runs in a second surefire execution with {@code agrona.disable.bounds.checks=true}, to show that the
 * dispatcher's checks do not lean on Agrona's.
 */
class SbeDispatcherTest
{
    private static final int RECORD_OFFSET = 64;
    private static final int[] TEMPLATE_IDS = {
        SensorReadingEncoder.TEMPLATE_ID,
        SensorBatchEncoder.TEMPLATE_ID,
        HeartbeatEncoder.TEMPLATE_ID,
        PingEncoder.TEMPLATE_ID,
        RequestEncoder.TEMPLATE_ID,
    };

    // the record sits in the middle of a larger off-heap buffer: a read past it would not fault, so it must be refused
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(16 * 1024));
    private final List<String> received = new ArrayList<>();
    private final SbeDispatcher dropping = register(new SbeDispatcher(UnknownMessagePolicy.DROP));
    private final SbeDispatcher throwing = register(new SbeDispatcher(UnknownMessagePolicy.THROW));

    @Test
    void shouldRunWithTheAgronaBoundsCheckModeTheBuildAskedFor()
    {
        final boolean expected = Boolean.parseBoolean(System.getProperty("conduit.test.agronaBoundsChecks", "true"));
        assertEquals(expected, DirectBuffer.SHOULD_BOUNDS_CHECK);
    }

    @Test
    void shouldDispatchAWellFormedMessage()
    {
        final int length = encodeHeartbeat();
        dropping.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(List.of("heartbeat 9"), received);
        assertEquals(0, dropping.rejectedCount());
    }

    @Test
    void shouldThrowNamingSchemaTemplateVersionAndLengthForAnUnknownSchema()
    {
        final int length = encodeHeartbeat();
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.SCHEMA_ID_OFFSET, (short)77, BYTE_ORDER);

        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> throwing.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));

        assertSame(RejectReason.UNKNOWN_SCHEMA, ex.reason());
        assertEquals(77, ex.schemaId());
        assertEquals(HeartbeatEncoder.TEMPLATE_ID, ex.templateId());
        assertEquals(0, ex.version());
        assertEquals(HeartbeatEncoder.BLOCK_LENGTH, ex.blockLength());
        assertEquals(HeartbeatEncoder.TEMPLATE_ID, ex.typeId());
        assertEquals(length, ex.length());
        // word for word the example in docs/CODEC.md
        assertEquals("SBE message rejected: reason=UNKNOWN_SCHEMA (no handler for the schema) schemaId=77 " +
            "templateId=3 version=0 blockLength=24 typeId=3 length=32", ex.getMessage());
        assertEquals(1, throwing.rejectedCount(RejectReason.UNKNOWN_SCHEMA));
        assertEquals(List.of(), received);
    }

    @Test
    void shouldDropAndCountAnUnknownSchemaAndAnUnknownTemplate()
    {
        final int length = encodeHeartbeat();
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.SCHEMA_ID_OFFSET, (short)77, BYTE_ORDER);
        dropping.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        encodeHeartbeat();
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.TEMPLATE_ID_OFFSET, (short)99, BYTE_ORDER);
        dropping.onMessage(99, buffer, RECORD_OFFSET, length);

        assertEquals(1, dropping.rejectedCount(RejectReason.UNKNOWN_SCHEMA));
        assertEquals(1, dropping.rejectedCount(RejectReason.UNKNOWN_TEMPLATE));
        assertEquals(2, dropping.rejectedCount());
        assertEquals(List.of(), received);

        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> throwing.onMessage(99, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.UNKNOWN_TEMPLATE, ex.reason());
    }

    /**
     * A handler's exception is the handler's, not a rejection: it passes through unchanged, and uncounted, under DROP
     * as under THROW, from a message decoded straight from the buffer and from one decoded through the view.
     */
    @Test
    void shouldLetAHandlersExceptionPassThroughUnchangedUnderEitherPolicy()
    {
        final IllegalStateException thrown = new IllegalStateException("handler failed");
        for (final UnknownMessagePolicy policy : UnknownMessagePolicy.values())
        {
            final SbeDispatcher dispatcher = new SbeDispatcher(policy)
                .register(new HeartbeatDecoder(), (heartbeat) -> { throw thrown; })
                .register(new PingDecoder(), (ping) -> { throw thrown; });

            assertSame(thrown, assertThrows(IllegalStateException.class,
                () -> dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodeHeartbeat())));
            assertSame(thrown, assertThrows(IllegalStateException.class,
                () -> dispatcher.onMessage(PingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodePing(4))));
            assertEquals(0, dispatcher.rejectedCount(), policy.name());
        }
    }

    @Test
    void shouldRejectARecordShorterThanTheHeader()
    {
        for (int length = 0; length < HEADER_LENGTH; length++)
        {
            final int recordLength = length;
            final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
                () -> throwing.onMessage(1, buffer, RECORD_OFFSET, recordLength));
            assertSame(RejectReason.MALFORMED, ex.reason());
            assertTrue(ex.getMessage().endsWith(
                "schemaId=-1 templateId=-1 version=-1 blockLength=-1 typeId=1 length=" + recordLength),
                ex.getMessage());
        }
        dropping.onMessage(1, buffer, RECORD_OFFSET, -1);
        dropping.onMessage(1, buffer, -8, 16);
        dropping.onMessage(1, buffer, buffer.capacity() - 8, 16);
        assertEquals(3, dropping.rejectedCount(RejectReason.MALFORMED));
    }

    /**
     * A buffer can say it holds a negative number of bytes (Agrona's {@code wrap(long, int)} stores any int): no record
     * lies inside it, whatever the offset. Taken for a capacity, -8 less an offset of {@code Integer.MAX_VALUE}
     * overflows to 2^31 - 7, which once passed the check and had the header loaded 2 GiB past the buffer: the JVM
     * crashed (SIGSEGV), with Agrona's checks on or off. From a review.
     */
    @Test
    void shouldRejectARecordInABufferOfNegativeCapacity()
    {
        final int length = encodeHeartbeat();
        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new HeartbeatDecoder(), (heartbeat) -> seen.add("heartbeat " + heartbeat.sequence()));
        for (final int capacity : new int[]{ Integer.MIN_VALUE, -8, -1 })
        {
            final UnsafeBuffer lying = new UnsafeBuffer(buffer.addressOffset(), capacity);
            dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, lying, RECORD_OFFSET, length);
            dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, lying, Integer.MAX_VALUE, length);
        }
        assertEquals(List.of(), seen);
        assertEquals(6, dispatcher.rejectedCount(RejectReason.MALFORMED));
    }

    @Test
    void shouldRejectATypeIdThatIsNotTheTemplateId()
    {
        final int length = encodeHeartbeat();
        dropping.onMessage(HeartbeatEncoder.TEMPLATE_ID + 1, buffer, RECORD_OFFSET, length);
        assertEquals(1, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRejectABlockLongerThanTheRecord()
    {
        final int length = encodeHeartbeat();
        dropping.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length - 1);
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET, (short)0xFFFF, BYTE_ORDER);
        dropping.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        assertEquals(2, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRejectVarDataLengthsThatRunPastTheRecordOrBackwards()
    {
        final int[] forgedLengths = { 0, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x8000_0000, -3 };
        for (final int forged : forgedLengths)
        {
            final int length = encodePing(4);
            buffer.putInt(RECORD_OFFSET + HEADER_LENGTH + PingEncoder.BLOCK_LENGTH, 0 == forged ? 5 : forged,
                BYTE_ORDER);
            dropping.onMessage(PingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        }
        for (final int forged : forgedLengths)
        {
            final int length = encodeRequest("mailbox", 16);
            final int payloadLengthOffset = RECORD_OFFSET + HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH + 2 + 7;
            buffer.putInt(payloadLengthOffset, 0 == forged ? 17 : forged, BYTE_ORDER);
            dropping.onMessage(RequestEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        }
        final int length = encodeRequest("mailbox", 16);
        buffer.putShort(RECORD_OFFSET + HEADER_LENGTH + RequestEncoder.BLOCK_LENGTH, (short)0xFFFF, BYTE_ORDER);
        dropping.onMessage(RequestEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        assertEquals(2 * forgedLengths.length + 1, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);
    }

    /**
     * Garbage under the DROP policy is counted and dropped without allocating: the walk of a record whose var-data
     * length runs past it used to build an IndexOutOfBoundsException, message and stack trace, per record.
     */
    @Test
    void shouldDropMalformedRecordsWithoutAllocating()
    {
        final int length = encodePing(4);
        final int truncated = length - 6; // the var-data length field itself runs past the record
        final int warmUp = 20_000;
        final int measured = 10_000;
        for (int i = 0; i < warmUp; i++)
        {
            dropping.onMessage(PingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, truncated);
        }
        final long allocated = Allocations.allocatedBy(() ->
        {
            for (int i = 0; i < measured; i++)
            {
                dropping.onMessage(PingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, truncated);
            }
        });

        assertTrue(allocated < measured, "bytes allocated by " + measured + " rejections: " + allocated);
        assertEquals(warmUp + measured, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRejectAGroupCountThatRunsPastTheRecord()
    {
        final int length = encodeSensorBatch(3);
        final int groupHeaderOffset = RECORD_OFFSET + HEADER_LENGTH + SensorBatchEncoder.BLOCK_LENGTH;
        buffer.putShort(groupHeaderOffset + 2, (short)4, BYTE_ORDER);
        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        encodeSensorBatch(3);
        buffer.putShort(groupHeaderOffset, (short)0xFFFF, BYTE_ORDER);
        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        encodeSensorBatch(3);
        buffer.putShort(groupHeaderOffset, (short)0xFFFF, BYTE_ORDER);
        buffer.putShort(groupHeaderOffset + 2, (short)0xFFFF, BYTE_ORDER);
        dropping.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        assertEquals(3, dropping.rejectedCount(RejectReason.MALFORMED));
        assertEquals(List.of(), received);
    }

    @Test
    void shouldRejectEveryTruncationOfEveryMessage()
    {
        final UnsafeBuffer copy = new UnsafeBuffer(ByteBuffer.allocateDirect(buffer.capacity()));
        long expectedRejections = 0;
        for (final int templateId : TEMPLATE_IDS)
        {
            final int fullLength = encode(templateId);
            copy.putBytes(0, buffer, 0, buffer.capacity());
            for (int length = 0; length < fullLength; length++)
            {
                dropping.onMessage(templateId, copy, RECORD_OFFSET, length);
                expectedRejections++;
                assertEquals(expectedRejections, dropping.rejectedCount(),
                    "templateId=" + templateId + " length=" + length);
            }
            dropping.onMessage(templateId, copy, RECORD_OFFSET, fullLength);
            assertEquals(expectedRejections, dropping.rejectedCount());
        }
        assertEquals(TEMPLATE_IDS.length, received.size());
    }

    @Test
    void shouldSurviveFlippedBytesAndRandomRecords()
    {
        final SplittableRandom random = new SplittableRandom(0xC0DEC);
        final ReadRecordingBuffer scratch = new ReadRecordingBuffer(buffer.capacity());
        final int iterations = 50_000;
        for (int i = 0; i < iterations; i++)
        {
            final int templateId = TEMPLATE_IDS[random.nextInt(TEMPLATE_IDS.length)];
            final int length = encode(templateId);
            scratch.putBytes(0, buffer, 0, buffer.capacity());
            if (0 == (i & 7))
            {
                for (int b = 0; b < length; b++)
                {
                    scratch.putByte(RECORD_OFFSET + b, (byte)random.nextInt(256));
                }
            }
            else
            {
                final int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++)
                {
                    scratch.putByte(RECORD_OFFSET + random.nextInt(Math.min(length, 48)), (byte)random.nextInt(256));
                }
            }
            final int recordLength = 0 == (i & 3) ? random.nextInt(length + 1) : length;
            final int typeId = 0 == (i & 15) ? random.nextInt(64) : templateId;
            scratch.forget();
            deliverReadingEverything(typeId, scratch, recordLength);
            // reads through the checked view are not recorded (the view bounds them); every other read is
            assertTrue(scratch.readOnlyInside(RECORD_OFFSET, recordLength),
                "i=" + i + " templateId=" + templateId + " length=" + recordLength + " read=" + scratch.readRange());
        }
        assertTrue(dropping.rejectedCount() > iterations / 2, "rejected=" + dropping.rejectedCount());
        assertTrue(received.size() > iterations / 10, "handled=" + received.size());
    }

    @Test
    void shouldDecodeFixedLengthMessagesStraightFromTheBufferAndTheRestThroughTheView()
    {
        assertTrue(dropping.isFixedLength(SensorReadingDecoder.SCHEMA_ID, SensorReadingDecoder.TEMPLATE_ID));
        assertTrue(dropping.isFixedLength(HeartbeatDecoder.SCHEMA_ID, HeartbeatDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(SensorBatchDecoder.SCHEMA_ID, SensorBatchDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(PingDecoder.SCHEMA_ID, PingDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(PongDecoder.SCHEMA_ID, PongDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(RequestDecoder.SCHEMA_ID, RequestDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(ReplyDecoder.SCHEMA_ID, ReplyDecoder.TEMPLATE_ID));
        assertFalse(dropping.isFixedLength(77, HeartbeatDecoder.TEMPLATE_ID));

        final List<DirectBuffer> decodedFrom = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new HeartbeatDecoder(), (heartbeat) -> decodedFrom.add(heartbeat.buffer()))
            .register(new PingDecoder(), (ping) -> decodedFrom.add(ping.buffer()));
        dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodeHeartbeat());
        dispatcher.onMessage(PingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodePing(4));

        assertSame(buffer, decodedFrom.get(0));
        assertInstanceOf(CheckedBuffer.class, decodedFrom.get(1));
    }

    @Test
    void shouldTakeTheFastPathOnlyForTheReadersExactHeaderAndSendEveryOtherHeaderThroughTheChecks()
    {
        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new HeartbeatDecoder(), (heartbeat) -> seen.add(heartbeat.actingVersion() + "/" +
                heartbeat.sequence() + (buffer == heartbeat.buffer() ? " straight" : " view")));
        final int length = encodeHeartbeat();
        dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);

        // a newer version with a longer block: not the exact header, yet still decoded straight from the buffer
        final long header = MessageHeaderDescriptor.header(buffer, RECORD_OFFSET);
        MessageHeaderDescriptor.write(buffer, RECORD_OFFSET, HeartbeatEncoder.BLOCK_LENGTH + 8,
            HeartbeatEncoder.TEMPLATE_ID, HeartbeatEncoder.SCHEMA_ID, HeartbeatEncoder.SCHEMA_VERSION + 1);
        dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length + 8);
        // the exact header with the type id of another template, and in a record one byte short of the block
        MessageHeaderDescriptor.writeHeader(buffer, RECORD_OFFSET, header);
        dispatcher.onMessage(SensorReadingEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length);
        dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length - 1);

        assertEquals(List.of("0/1 straight", "1/1 straight"), seen);
        assertEquals(2, dispatcher.rejectedCount(RejectReason.MALFORMED));
        assertEquals(2, dispatcher.rejectedCount());
    }

    @Test
    void shouldRejectTheReadersOwnVersionWhenTheMinimumVersionIsAboveIt()
    {
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.DROP)
            .register(new HeartbeatDecoder(), HeartbeatDecoder.SCHEMA_VERSION + 1, (heartbeat) -> received.add("x"));
        dispatcher.onMessage(HeartbeatEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodeHeartbeat());

        assertEquals(List.of(), received);
        assertEquals(1, dispatcher.rejectedCount(RejectReason.INCOMPATIBLE_VERSION));
    }

    @Test
    void shouldRejectEveryTruncationOfAFixedLengthRecordWithoutReadingPastIt()
    {
        final ReadRecordingBuffer ring = new ReadRecordingBuffer(buffer.capacity());
        for (final int templateId : new int[]{ SensorReadingEncoder.TEMPLATE_ID, HeartbeatEncoder.TEMPLATE_ID })
        {
            final int fullLength = encode(templateId);
            ring.putBytes(0, buffer, 0, buffer.capacity());
            for (int length = 0; length < fullLength; length++)
            {
                final long rejectedBefore = throwing.rejectedCount(RejectReason.MALFORMED);
                ring.forget();
                final int recordLength = length;
                assertThrows(RejectedMessageException.class,
                    () -> throwing.onMessage(templateId, ring, RECORD_OFFSET, recordLength));
                assertEquals(rejectedBefore + 1, throwing.rejectedCount(RejectReason.MALFORMED));
                assertTrue(ring.readOnlyInside(RECORD_OFFSET, length),
                    "templateId=" + templateId + " length=" + length + " read=" + ring.readRange());
            }
        }
        assertEquals(List.of(), received);
    }

    /**
     * A record whose header, block and var-data all lie in the buffer, but whose length runs one byte past its end:
     * refused by check 1 (the header is not even read), on the straight path and on the view's.
     */
    @Test
    void shouldTakeARecordThatEndsAtTheEndOfTheBufferAndRefuseOneThatRunsPastIt()
    {
        final UnsafeBuffer end = new UnsafeBuffer(ByteBuffer.allocateDirect(buffer.capacity()));
        for (final int templateId : new int[]{ SensorReadingEncoder.TEMPLATE_ID, PingEncoder.TEMPLATE_ID })
        {
            final int length = encode(templateId);
            final int offset = end.capacity() - length;
            end.putBytes(offset, buffer, RECORD_OFFSET, length);
            throwing.onMessage(templateId, end, offset, length);

            final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
                () -> throwing.onMessage(templateId, end, offset, length + 1));
            assertSame(RejectReason.MALFORMED, ex.reason());
            assertEquals(-1, ex.schemaId(), "rejected before the header was read");
        }
        assertEquals(List.of("reading 1,2,3.0,KELVIN,BAD", "ping 5,20"), received);
    }

    @Test
    void shouldNeverReadOutsideAFixedLengthRecordWhateverItsBytes()
    {
        final SplittableRandom random = new SplittableRandom(0xF1CED);
        final ReadRecordingBuffer ring = new ReadRecordingBuffer(buffer.capacity());
        final int[] templateIds = { SensorReadingEncoder.TEMPLATE_ID, HeartbeatEncoder.TEMPLATE_ID };
        final int iterations = 20_000;
        for (int i = 0; i < iterations; i++)
        {
            final int templateId = templateIds[random.nextInt(templateIds.length)];
            final int fullLength = encode(templateId);
            ring.putBytes(0, buffer, 0, buffer.capacity());
            final int flips = 1 + random.nextInt(3);
            for (int f = 0; f < flips; f++)
            {
                // mostly the header, where the lengths and ids are
                final int at = 0 == (i & 1) ? random.nextInt(HEADER_LENGTH) : random.nextInt(fullLength);
                ring.putByte(RECORD_OFFSET + at, (byte)random.nextInt(256));
            }
            final int length = 0 == (i & 3) ? random.nextInt(fullLength + 1) : fullLength;
            ring.forget();
            deliverReadingEverything(templateId, ring, length);
            assertTrue(ring.readOnlyInside(RECORD_OFFSET, length),
                "i=" + i + " templateId=" + templateId + " length=" + length + " read=" + ring.readRange());
        }
        assertTrue(dropping.rejectedCount() > iterations / 4, "rejected=" + dropping.rejectedCount());
        assertTrue(received.size() > iterations / 4, "handled=" + received.size());
    }

    /**
     * A version 1 reader of a version 0 message reads the version 0 fields from the sender's block and returns the
     * null value for the field version 1 added, reading nothing past the block. A version 0 block shorter than the
     * version 0 fields is malformed, however long the record: the reader would take bid from past the block.
     */
    @Test
    void shouldReadAnOlderVersionsBlockThroughTheViewAndRejectOneShorterThanThatVersionsFields()
    {
        final List<String> quotes = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW).register(
            new io.conduit.codec.sbe.evolution.v1.QuoteDecoder(),
            (quote) -> quotes.add(quote.quoteId() + "," + quote.bid() + "," + quote.ask()));

        // a version 0 header with an 8-byte block: version 0's fields, quoteId and bid, take 16
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        MessageHeaderDescriptor.write(buffer, RECORD_OFFSET, Long.BYTES, QuoteEncoder.TEMPLATE_ID,
            QuoteEncoder.SCHEMA_ID, 0);
        buffer.putLong(RECORD_OFFSET + HEADER_LENGTH, 7, BYTE_ORDER);
        buffer.putLong(RECORD_OFFSET + HEADER_LENGTH + Long.BYTES, 8, BYTE_ORDER);
        for (final int length : new int[]{ HEADER_LENGTH + Long.BYTES, HEADER_LENGTH + 2 * Long.BYTES })
        {
            final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
                () -> dispatcher.onMessage(QuoteEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
            assertSame(RejectReason.MALFORMED, ex.reason());
            assertTrue(ex.getMessage().contains("blockLength=8 below the 16 bytes the reader reads at version 0 " +
                "(up to field bid)"), ex.getMessage());
        }
        assertEquals(2, dispatcher.rejectedCount(RejectReason.MALFORMED));

        // the version 0 block as version 0 sends it: both fields read from inside it, ask is its null value
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.BLOCK_LENGTH_OFFSET, (short)(2 * Long.BYTES),
            BYTE_ORDER);
        dispatcher.onMessage(QuoteEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, HEADER_LENGTH + 2 * Long.BYTES);
        assertEquals(List.of("7,8," + io.conduit.codec.sbe.evolution.v1.QuoteDecoder.askNullValue()), quotes);
        assertEquals(2, dispatcher.rejectedCount());
    }

    @Test
    void shouldRouteOneTemplateIdOfTwoSchemasToEachHandler()
    {
        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new io.conduit.codec.sbe.evolution.v0.QuoteDecoder(), (quote) -> seen.add("quote " +
                quote.quoteId() + " from " + (quote.buffer() instanceof CheckedBuffer ? "view" : "buffer")))
            .register(new SensorBatchDecoder(), (batch) -> seen.add("batch " + batch.batchSequence()));
        assertEquals(QuoteEncoder.TEMPLATE_ID, SensorBatchEncoder.TEMPLATE_ID);
        assertTrue(dispatcher.isFixedLength(QuoteEncoder.SCHEMA_ID, QuoteEncoder.TEMPLATE_ID));
        assertFalse(dispatcher.isFixedLength(SensorBatchEncoder.SCHEMA_ID, SensorBatchEncoder.TEMPLATE_ID));
        assertThrows(IllegalStateException.class, () -> dispatcher.register(
            new io.conduit.codec.sbe.evolution.v0.QuoteDecoder(), (quote) -> seen.add("again")));

        final QuoteEncoder quote = wrap(new QuoteEncoder());
        quote.quoteId(5).bid(6);
        dispatcher.onMessage(QuoteEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, HEADER_LENGTH + quote.encodedLength());
        dispatcher.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, encodeSensorBatch(1));
        assertEquals(List.of("quote 5 from buffer", "batch 2"), seen);

        final int length = encodeSensorBatch(1);
        buffer.putShort(RECORD_OFFSET + MessageHeaderDescriptor.SCHEMA_ID_OFFSET, (short)77, BYTE_ORDER);
        final RejectedMessageException ex = assertThrows(RejectedMessageException.class,
            () -> dispatcher.onMessage(SensorBatchEncoder.TEMPLATE_ID, buffer, RECORD_OFFSET, length));
        assertSame(RejectReason.UNKNOWN_SCHEMA, ex.reason());
    }

    /**
     * The fast path tries the registration it took last before the table: whatever type of message came before, each
     * goes to its own handler, and a record that carries the last one's exact header under another type id, or is a
     * byte short of its block, is still rejected. Four kinds in a random order, one carrying the same template id
     * under another schema (Quote beside SensorBatch), each numbered: all arrive, in order, each once.
     */
    @Test
    void shouldRouteEachMessageToItsOwnHandlerWhateverCameBefore()
    {
        final List<String> seen = new ArrayList<>();
        final SbeDispatcher dispatcher = new SbeDispatcher(UnknownMessagePolicy.THROW)
            .register(new SensorReadingDecoder(), (reading) -> seen.add("reading " + reading.sensorId()))
            .register(new io.conduit.codec.sbe.evolution.v0.QuoteDecoder(), (quote) -> seen.add("quote " +
                quote.quoteId()))
            .register(new SensorBatchDecoder(), (batch) -> seen.add("batch " + batch.batchSequence()))
            .register(new HeartbeatDecoder(), (heartbeat) -> seen.add("heartbeat " + heartbeat.sequence()));
        final List<String> sent = new ArrayList<>();
        final SplittableRandom random = new SplittableRandom(0x5EED);
        for (int sequence = 0; sequence < 400; sequence++)
        {
            final int kind = random.nextInt(4);
            final int length;
            final int typeId;
            switch (kind)
            {
                case 0:
                    wrap(new SensorReadingEncoder()).sensorId(sequence).timestampNs(1).value(2)
                        .unit(Unit.CELSIUS).quality(Quality.GOOD);
                    length = MessageLengths.SENSOR_READING_LENGTH;
                    typeId = SensorReadingEncoder.TEMPLATE_ID;
                    sent.add("reading " + sequence);
                    break;
                case 1:
                    wrap(new QuoteEncoder()).quoteId(sequence).bid(1);
                    length = HEADER_LENGTH + QuoteEncoder.BLOCK_LENGTH;
                    typeId = QuoteEncoder.TEMPLATE_ID;
                    sent.add("quote " + sequence);
                    break;
                case 2:
                    final SensorBatchEncoder batch = wrap(new SensorBatchEncoder());
                    batch.sourceId(1).batchSequence(sequence).readingsCount(0);
                    length = HEADER_LENGTH + batch.encodedLength();
                    typeId = SensorBatchEncoder.TEMPLATE_ID;
                    sent.add("batch " + sequence);
                    break;
                default:
                    wrap(new HeartbeatEncoder()).sourceId(1).sequence(sequence).timestampNs(1);
                    length = MessageLengths.HEARTBEAT_LENGTH;
                    typeId = HeartbeatEncoder.TEMPLATE_ID;
                    sent.add("heartbeat " + sequence);
                    break;
            }
            dispatcher.onMessage(typeId, buffer, RECORD_OFFSET, length);

            // the same bytes again, right after: under another template's type id, and one byte short
            final int otherTypeId = HeartbeatEncoder.TEMPLATE_ID == typeId ? SensorReadingEncoder.TEMPLATE_ID :
                HeartbeatEncoder.TEMPLATE_ID;
            final RejectedMessageException forged = assertThrows(RejectedMessageException.class,
                () -> dispatcher.onMessage(otherTypeId, buffer, RECORD_OFFSET, length));
            assertSame(RejectReason.MALFORMED, forged.reason(), forged.getMessage());
            final RejectedMessageException shortOne = assertThrows(RejectedMessageException.class,
                () -> dispatcher.onMessage(typeId, buffer, RECORD_OFFSET, length - 1));
            assertSame(RejectReason.MALFORMED, shortOne.reason(), shortOne.getMessage());
        }
        assertEquals(sent, seen);
        assertEquals(800, dispatcher.rejectedCount(RejectReason.MALFORMED));
        assertEquals(800, dispatcher.rejectedCount());
    }

    /**
     * Deliver a record to a dropping dispatcher whose handlers read every field, group entry and var-data byte, in
     * schema order: the record must be either handled or counted as rejected, and a handler must never read past it
     * (the dispatcher's walk checked every group and var-data length those reads take), so an
     * IndexOutOfBoundsException from the view fails the test.
     */
    private void deliverReadingEverything(final int typeId, final MutableDirectBuffer source, final int length)
    {
        final long rejectedBefore = dropping.rejectedCount();
        final int receivedBefore = received.size();
        dropping.onMessage(typeId, source, RECORD_OFFSET, length);
        final int handled = received.size() - receivedBefore;
        final long rejected = dropping.rejectedCount() - rejectedBefore;
        assertEquals(1, handled + rejected, "typeId=" + typeId + " length=" + length);
    }

    private int encode(final int templateId)
    {
        switch (templateId)
        {
            case SensorReadingEncoder.TEMPLATE_ID:
                return encodeSensorReading();
            case SensorBatchEncoder.TEMPLATE_ID:
                return encodeSensorBatch(3);
            case HeartbeatEncoder.TEMPLATE_ID:
                return encodeHeartbeat();
            case PingEncoder.TEMPLATE_ID:
                return encodePing(20);
            case RequestEncoder.TEMPLATE_ID:
                return encodeRequest("reply-here", 12);
            default:
                throw new IllegalArgumentException("templateId=" + templateId);
        }
    }

    private SbeDispatcher register(final SbeDispatcher dispatcher)
    {
        final byte[] bytes = new byte[buffer.capacity()];
        return dispatcher
            .register(new HeartbeatDecoder(), (heartbeat) -> received.add("heartbeat " + heartbeat.sourceId()))
            .register(new SensorReadingDecoder(), (reading) -> received.add("reading " + reading.sensorId() + "," +
                reading.timestampNs() + "," + reading.value() + "," + reading.unit() + "," + reading.quality()))
            .register(new SensorBatchDecoder(), (batch) ->
            {
                final StringBuilder text = new StringBuilder("batch ").append(batch.batchSequence());
                for (final SensorBatchDecoder.ReadingsDecoder reading : batch.readings())
                {
                    text.append(',').append(reading.sensorId()).append(reading.value()).append(reading.unit())
                        .append(reading.quality()).append(reading.timestampNs());
                }
                received.add(text.toString());
            })
            .register(new PingDecoder(), (ping) ->
                received.add("ping " + ping.sequence() + "," + ping.getPayload(bytes, 0, bytes.length)))
            .register(new PongDecoder(), (pong) ->
                received.add("pong " + pong.sequence() + "," + pong.getPayload(bytes, 0, bytes.length)))
            .register(new RequestDecoder(), (request) ->
            {
                final StringBuilder replyTo = new StringBuilder();
                request.getReplyTo(replyTo);
                received.add("request " + replyTo + "," + request.getPayload(bytes, 0, bytes.length));
            })
            .register(new ReplyDecoder(), (reply) ->
                received.add("reply " + reply.getPayload(bytes, 0, bytes.length)));
    }

    private int encodeHeartbeat()
    {
        final HeartbeatEncoder encoder = wrap(new HeartbeatEncoder());
        encoder.sourceId(9).sequence(1).timestampNs(2);
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int encodeSensorReading()
    {
        final SensorReadingEncoder encoder = wrap(new SensorReadingEncoder());
        encoder.sensorId(1).timestampNs(2).value(3.0).unit(Unit.KELVIN).quality(Quality.BAD);
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int encodeSensorBatch(final int count)
    {
        return encodeSensorBatch(buffer, RECORD_OFFSET, count);
    }

    /**
     * A SensorBatch of count readings at the record offset of a cleared buffer.
     *
     * @return its length, SBE header included.
     */
    static int encodeSensorBatch(final MutableDirectBuffer buffer, final int recordOffset, final int count)
    {
        final SensorBatchEncoder encoder = wrapCleared(buffer, recordOffset, new SensorBatchEncoder());
        final SensorBatchEncoder.ReadingsEncoder readings = encoder.sourceId(1).batchSequence(2).readingsCount(count);
        for (int i = 0; i < count; i++)
        {
            readings.next().sensorId(i).timestampNs(i).value(i).unit(Unit.HERTZ).quality(Quality.STALE);
        }
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int encodePing(final int payloadLength)
    {
        final PingEncoder encoder = wrap(new PingEncoder());
        encoder.sequence(5).sendTimeNs(6).putPayload(new byte[payloadLength], 0, payloadLength);
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private int encodeRequest(final String replyTo, final int payloadLength)
    {
        final RequestEncoder encoder = wrap(new RequestEncoder());
        encoder.correlationId(8).replyTo(replyTo).putPayload(new byte[payloadLength], 0, payloadLength);
        return HEADER_LENGTH + encoder.encodedLength();
    }

    private <E extends MessageEncoderFlyweight> E wrap(final E encoder)
    {
        return wrapCleared(buffer, RECORD_OFFSET, encoder);
    }

    /**
     * Zero the buffer, write the encoder's SBE header at the record offset and wrap the encoder after it.
     */
    static <E extends MessageEncoderFlyweight> E wrapCleared(
        final MutableDirectBuffer buffer, final int recordOffset, final E encoder)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        MessageHeaderDescriptor.write(buffer, recordOffset, encoder.sbeBlockLength(), encoder.sbeTemplateId(),
            encoder.sbeSchemaId(), encoder.sbeSchemaVersion());
        encoder.wrap(buffer, recordOffset + HEADER_LENGTH);
        return encoder;
    }
}
